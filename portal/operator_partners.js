// The vendor's partners: their list, registering one, a partner's page (its level, discount,
// domains and enabling, where it stands against its cap, its people), and the requests to be
// enabled waiting for an answer.
import { api, can } from "{{asset:api.js}}";
import { codeShow, dateShow, t } from "{{asset:i18n.js}}";
import { inviteForm, peopleList } from "{{asset:team.js}}";
import { address, details, el, field, link, listing, onSubmit, options, part, problemLine, problemSay, retitle } from "{{asset:ui.js}}";

const levels = ["bronze", "silver", "gold", "platinum", "titanium"];

function yesNo(value) {
  return value ? t("Yes") : t("No");
}

function domainsParse(text) {
  return text.split(/[\s,]+/).map((domain) => domain.trim()).filter(Boolean);
}

export async function partnersShow(section) {
  const list = el("div");
  if (can("partners_manage")) section.append(partnerCreateForm());
  section.append(list);
  await listing(list, {
    path: "/v1/partners", empty: t("No partner yet."),
    columns: [
      [t("Partner"), (p) => link(address("partners", p.id), p.name)],
      [t("Level"), (p) => codeShow(p.level)],
      [t("May issue"), (p) => yesNo(p.can_issue)],
      [t("Discount"), (p) => `${p.discount_percent} %`],
      [t("Own domains"), (p) => p.email_domains.join(", ")],
      [t("Since"), (p) => dateShow(p.created_at)],
    ],
  });
}

function partnerCreateForm() {
  const name = el("input", { name: "name", required: true, maxLength: 200, autocomplete: "off" });
  const level = el("select", { name: "level" });
  options(level, levels.map((l) => [l, codeShow(l)]), "bronze");
  const domains = el("input", { name: "email_domains", autocomplete: "off" });
  const canIssue = el("input", { type: "checkbox", name: "can_issue", checked: true });
  const problem = problemLine();
  const form = el("form", { className: "inline" }, field(t("Name"), name), field(t("Level"), level),
                  field(t("Own domains"), domains, t("Separated by commas: no free license goes to an email in them.")),
                  el("label", { className: "check" }, canIssue, t("May issue licenses at once")),
                  el("button", { type: "submit" }, t("Register the partner")), problem);
  onSubmit(form, problem, async () => {
    const partner = await api("POST", "/v1/partners", {
      name: name.value.trim(), level: level.value, email_domains: domainsParse(domains.value), can_issue: canIssue.checked,
    });
    location.hash = address("partners", partner.id);
  });
  return el("details", { className: "part" }, el("summary", {}, t("Register a partner")), form);
}

export async function partnerShow(section, id) {
  const partner = await api("GET", `/v1/partners/${encodeURIComponent(id)}`);
  retitle(section, partner.name);
  const { free_licenses_used: used, free_license_cap: cap } = partner.usage;
  section.append(details([
    [t("Level"), codeShow(partner.level)],
    [t("Free licenses"), t("{used} of {cap}", { used, cap })],
    [t("May issue"), yesNo(partner.can_issue)],
    [t("Discount"), `${partner.discount_percent} %`],
    [t("Own domains"), partner.email_domains.length ? partner.email_domains.join(", ") : "—"],
    [t("Notifications to"), partner.notification_email ?? "—"],
    [t("Since"), dateShow(partner.created_at)],
  ]));
  if (partner.enabling_request?.status === "pending") {
    await part(section, t("Request to be enabled"), (into) => into.append(enablingDecision(partner)));
  }
  if (can("partners_manage")) section.append(partnerEditForm(partner));
  await part(section, t("People"), async (into) => {
    const list = el("div");
    into.append(list);
    const show = () => peopleList(list, { parameters: { partner_id: partner.id }, manageable: false });
    if (can("users_manage")) {
      const roles = (await api("GET", "/v1/roles")).items.filter((role) => role.kind === "partner").map((role) => role.name);
      into.append(inviteForm(roles, show, { organisation: { partner_id: partner.id }, chosen: "global_admin" }));
    }
    await show();
  });
}

function partnerEditForm(partner) {
  const name = el("input", { name: "name", required: true, maxLength: 200, value: partner.name });
  const level = el("select", { name: "level" });
  options(level, levels.map((l) => [l, codeShow(l)]), partner.level);
  const discount = el("input", { type: "number", name: "discount_percent", min: 0, max: 100, value: partner.discount_percent });
  const domains = el("input", { name: "email_domains", value: partner.email_domains.join(", ") });
  const notify = el("input", { type: "email", name: "notification_email", value: partner.notification_email ?? "" });
  const canIssue = el("input", { type: "checkbox", name: "can_issue", checked: partner.can_issue });
  const problem = problemLine();
  const saved = el("p", { className: "notice", role: "status", hidden: true }, t("Saved."));
  const form = el("form", { className: "narrow" }, field(t("Name"), name),
                  field(t("Level"), level, t("The level sets the cap on free licenses.")),
                  field(t("Discount in percent"), discount, t("Taken off the price of what the partner buys.")),
                  field(t("Own domains"), domains, t("Separated by commas: no free license goes to an email in them.")),
                  field(t("Notifications to"), notify), el("label", { className: "check" }, canIssue, t("May issue licenses")),
                  el("button", { type: "submit" }, t("Save")), problem, saved);
  onSubmit(form, problem, async () => {
    saved.hidden = true;
    await api("PATCH", `/v1/partners/${encodeURIComponent(partner.id)}`, {
      name: name.value.trim(), level: level.value, discount_percent: Number(discount.value),
      email_domains: domainsParse(domains.value), notification_email: notify.value.trim(), can_issue: canIssue.checked,
    });
    saved.hidden = false;
  });
  return el("details", { className: "part" }, el("summary", {}, t("Change the partner")), form);
}

/** A pending request: what the partner wrote, and, for those who may, approve or refuse with a reply. */
function enablingDecision(partner) {
  const request = partner.enabling_request;
  const asked = el("p", {}, t("Asked on {date}: “{message}”", { date: dateShow(request.requested_at, true), message: request.message || "—" }));
  if (!can("partners_manage")) return asked;
  const reply = el("input", { name: "reply", maxLength: 2000, autocomplete: "off" });
  const problem = problemLine();
  const decide = async (verdict, button) => {
    button.disabled = true;
    try {
      await api("POST", `/v1/enabling-requests/${encodeURIComponent(partner.id)}/${verdict}`, reply.value.trim() ? { reply: reply.value.trim() } : {});
      window.dispatchEvent(new Event("render"));
    } catch (error) {
      problemSay(problem, error);
      button.disabled = false;
    }
  };
  const approve = el("button", { type: "button" }, t("Approve"));
  const refuse = el("button", { type: "button", className: "danger" }, t("Refuse"));
  approve.addEventListener("click", () => decide("approve", approve));
  refuse.addEventListener("click", () => decide("refuse", refuse));
  approve.setAttribute("aria-label", t("Approve {partner}", { partner: partner.name }));
  refuse.setAttribute("aria-label", t("Refuse {partner}", { partner: partner.name }));
  return el("div", {}, asked, field(t("Reply to the partner"), reply, t("Sent with the answer; say why when you refuse.")),
            el("div", { className: "actions" }, approve, refuse), problem);
}

/** The partners waiting for an answer to their request to be enabled. */
export function enablingRequestsList(into) {
  return listing(into, {
    path: "/v1/enabling-requests", empty: t("No request waits for an answer."),
    columns: [
      [t("Partner"), (p) => link(address("partners", p.id), p.name)],
      [t("Asked"), (p) => dateShow(p.enabling_request.requested_at, true)],
      [t("Message"), (p) => p.enabling_request.message || "—"],
    ],
  });
}
