// The partner's pages: what its staff see and do, each part only where their role allows (the
// server checks again). The pages live in partner_*.js; this module names them, and holds the
// dashboard and the request to be enabled.
import { api, can, session } from "{{asset:api.js}}";
import { N_, codeShow, dateShow, t } from "{{asset:i18n.js}}";
import { customerShow, customersShow } from "{{asset:partner_customers.js}}";
import { ledgerShow } from "{{asset:partner_ledger.js}}";
import { issueShow, licenseColumns, licenseShow, licensesShow, subscribeShow } from "{{asset:licenses.js}}";
import { teamShow } from "{{asset:team.js}}";
import { address, el, field, link, listing, onSubmit, part, problemLine } from "{{asset:ui.js}}";

const day = 24 * 60 * 60 * 1000;

function dashboardShow(section) {
  const now = Date.now();
  // The soonest expiry first, through the server's expiry index.
  const soon = (days) => ({ status: "active", sort: "expires", expires_from: new Date(now).toISOString(),
                            expires_to: new Date(now + days * day).toISOString() });
  if (!session.me.partner.can_issue) {
    section.append(el("p", { className: "notice", role: "status" }, el("span", {}, t("Your organisation may not issue licenses yet.")), " ",
                      el("a", { href: "#/enabling" }, t("Ask the vendor to enable it")), "."));
  }
  return Promise.all([
    part(section, t("Free licenses"), usageShow),
    part(section, t("Licenses expiring in the next 30 days"), (into) =>
      listing(into, { path: "/v1/licenses", parameters: { ...soon(30), kind: "paid" }, columns: licenseColumns(),
                      empty: t("None: no paid license expires in the next 30 days.") })),
    part(section, t("Trials ending in the next 7 days"), (into) =>
      listing(into, { path: "/v1/licenses", parameters: { ...soon(7), kind: "trial" }, columns: licenseColumns(),
                      empty: t("None: no trial ends in the next 7 days.") })),
    part(section, t("Recent activity"), activityShow),
  ]);
}

// What each event a partner is told of means, in words (docs/events.md); another type shows as
// its code.
const eventWords = {
  "license.issued": N_("License issued"), "license.activated": N_("License activated"),
  "license.suspended": N_("License suspended"), "license.reinstated": N_("License reinstated"),
  "license.revoked": N_("License revoked"), "license.transferred": N_("License transferred"),
  "license.unlinked": N_("License unlinked"), "license.deleted": N_("License deleted"),
  "license.imported": N_("License imported"), "license.converted": N_("License converted"),
  "license.corrected": N_("License corrected by the vendor"), "license.expiring": N_("License expiring soon"),
  "license.expired": N_("License expired"), "license.delivery_requested": N_("Delivery letter sent"),
  "license.compliance_flagged": N_("License registered wrongly"), "license.compliance_deadline_near": N_("Compliance deadline near"),
  "license.compliance_cleared": N_("License registered correctly again"), "license.compliance_expired": N_("License expired at its compliance deadline"),
  "license.campaign_extended": N_("License extended by a campaign"),
  "subscription.created": N_("Subscription sold"), "subscription.seats_changed": N_("Seats changed"),
  "subscription.member_added": N_("Member added"), "subscription.member_removed": N_("Member removed"),
  "subscription.upgraded": N_("Subscription upgraded"), "subscription.scheduled_change_set": N_("Change scheduled for the renewal"),
  "subscription.scheduled_change_applied": N_("Scheduled change made"), "subscription.renewed": N_("Subscription renewed"),
  "subscription.expired": N_("Subscription ended"), "subscription.cancelled": N_("Subscription cancelled"),
  "subscription.trial_converted": N_("Trial converted"), "subscription.trial_ending": N_("Trial ending soon"),
  "subscription.suspended": N_("Subscription suspended"), "subscription.reactivated": N_("Subscription reactivated"),
  "ledger.entry": N_("Charge or refund"), "partner.cap_nearly_reached": N_("Free licenses nearly at the cap"),
  "partner.cap_reached": N_("Free licenses at the cap"), "partner.enabling_requested": N_("Enabling requested"),
  "partner.enabled": N_("Organisation enabled"), "partner.enabling_refused": N_("Enabling refused"),
  "user.invited": N_("Person invited"), "user.password_reset_requested": N_("Password reset started"),
};

// The pages a subject of an event ("license:lic_…") has in this area.
const subjectPages = { license: "licenses", customer: "customers" };

/** The partner's newest events: what happened, when, to what (a link where it has a page). */
async function activityShow(into) {
  const { items } = await api("GET", "/v1/activity?limit=10");
  if (items.length === 0) {
    into.replaceChildren(el("p", { className: "muted" }, t("Nothing has happened yet.")));
    return;
  }
  const about = (subject) => {
    const [kind, id] = subject.split(":");
    return subjectPages[kind] && id ? link(address(subjectPages[kind], id), subject) : subject;
  };
  into.replaceChildren(el("div", { className: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, ...[t("When"), t("What"), t("About")].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...items.map((event) => el("tr", {}, el("td", {}, dateShow(event.occurred_at, true)),
                                             el("td", {}, eventWords[event.type] ? t(eventWords[event.type]) : el("code", {}, event.type)), el("td", {}, about(event.subject))))))));
}

// Read afresh (GET /v1/me): every partner role sees where it stands, not only the ledger's readers.
async function usageShow(into) {
  session.me = await api("GET", "/v1/me");
  const { level, usage } = session.me.partner;
  const used = usage.free_licenses_used;
  const cap = usage.free_license_cap;
  // Green well below the cap, amber nearing it, red at it: free licenses stop there.
  const meter = el("meter", { id: "free-licenses", min: 0, max: cap, value: used, low: cap * 0.75, high: cap - 0.5, optimum: 0 });
  into.replaceChildren(
    el("label", { htmlFor: meter.id }, t("Free licenses issued, against the cap of your level ({level})", { level: codeShow(level) })),
    el("div", { className: "usage" }, meter, el("span", { id: "free-licenses-text" }, t("{used} of {cap}", { used, cap }))));
}

// The a3ASESOR flow: a partner not yet enabled asks the vendor, who approves or refuses.
function enablingShow(section) {
  const partner = session.me.partner;
  const request = partner.enabling_request;
  if (partner.can_issue) {
    section.append(el("p", {}, t("Your organisation is enabled: it may issue licenses.")));
    return;
  }
  if (request?.status === "pending") {
    section.append(el("p", { className: "notice", role: "status" }, t("Your request is waiting for the vendor's answer.")));
  } else if (request?.status === "refused") {
    section.append(el("p", { className: "notice" }, t("The vendor refused the last request: {reply}", { reply: request.reply ?? "—" })));
  }
  if (!can("users_manage")) {
    section.append(el("p", {}, t("Your organisation's administrators may ask the vendor to enable it.")));
    return;
  }
  const message = el("textarea", { name: "message", maxLength: 2000, rows: 4 });
  const problem = problemLine();
  const form = el("form", { className: "narrow" }, field(t("Message to the vendor"), message, t("Who you are and whom you will sell to.")),
                  el("button", { type: "submit" }, t("Ask to be enabled")), problem);
  section.append(form);
  onSubmit(form, problem, async () => {
    session.me.partner = await api("POST", "/v1/enabling-requests", message.value.trim() ? { message: message.value.trim() } : {});
    window.dispatchEvent(new Event("render"));
  });
}

export const partnerArea = {
  home: "#/dashboard",
  nav: [
    ["#/dashboard", N_("Dashboard")],
    ["#/customers", N_("Customers"), "customers_read"],
    ["#/licenses", N_("Licenses"), "licenses_read"],
    ["#/issue", N_("Issue a license"), "licenses_issue"],
    ["#/subscribe", N_("New subscription"), "licenses_issue"],
    ["#/ledger", N_("Ledger"), "ledger_read"],
    ["#/team", N_("Team"), "users_read"],
  ],
  views: {
    dashboard: { title: N_("Dashboard"), show: dashboardShow },
    customers: { title: N_("Customers"), show: customersShow, needs: "customers_read",
                 withId: { title: N_("Customer"), show: customerShow, needs: "customers_read" } },
    licenses: { title: N_("Licenses"), show: licensesShow, needs: "licenses_read",
                withId: { title: N_("License"), show: licenseShow, needs: "licenses_read" } },
    issue: { title: N_("Issue a license"), show: issueShow, needs: "licenses_issue" },
    subscribe: { title: N_("New subscription"), show: subscribeShow, needs: "licenses_issue" },
    ledger: { title: N_("Ledger"), show: ledgerShow, needs: "ledger_read" },
    team: { title: N_("Team"), show: teamShow, needs: "users_read" },
    enabling: { title: N_("Enabling"), show: enablingShow },
  },
};
