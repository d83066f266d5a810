// An organisation's own people and API keys (a partner's staff, the vendor's operators, a
// customer's people, who have no keys): invite, disable; create a key (shown once) and revoke one.
import { api, can, session } from "{{asset:api.js}}";
import { codeShow, dateShow, t } from "{{asset:i18n.js}}";
import { confirmedButton, copyable, el, field, listing, onSubmit, options, part, problemLine } from "{{asset:ui.js}}";

async function ownRoles() {
  const roles = await api("GET", "/v1/roles");
  return roles.items.filter((role) => role.kind === session.me.kind).map((role) => role.name);
}

// Operators' people and keys are the owner's to make (operator_users_manage), although an admin
// manages users elsewhere; the server says the same.
function mayManage() {
  return can(session.me.kind === "operator" ? "operator_users_manage" : "users_manage");
}

// What a new person is offered first: the role that may do least.
const firstRole = { partner: "sales_agent", operator: "support", customer: "customer_member" };

/** A list and, where the role may add to it, the form that does (shown again when it has). */
async function listAndForm(into, fill, form) {
  const list = el("div");
  into.append(list);
  if (form) into.append(form(() => fill(list)));
  await fill(list);
}

export async function teamShow(section) {
  const roles = await ownRoles();
  await Promise.all([
    part(section, t("People"), (into) => listAndForm(into, peopleList, mayManage() && ((shown) => inviteForm(roles, shown)))),
    session.me.kind !== "customer" && part(section, t("API keys"), (into) => listAndForm(into, keysList, mayManage() && keyForm)),
  ]);
}

/** The people of the person's own organisation, or of the one `parameters` name ({partner_id}), with
 *  a button to disable each where `manageable`. */
export function peopleList(into, { parameters = {}, manageable = mayManage() } = {}) {
  return listing(into, {
    path: "/v1/users", parameters, empty: t("Nobody yet."),
    columns: [
      [t("Email"), (u) => u.email],
      [t("Name"), (u) => u.name ?? ""],
      [t("Role"), (u) => codeShow(u.role)],
      [t("Status"), (u) => codeShow(u.status)],
      ...(manageable ? [["", (u) => (u.id === session.me.id || u.status === "disabled" ? "" : disableButton(u))]] : []),
    ],
  });
}

function disableButton(user) {
  return confirmedButton(t("Disable"), {
    question: t("Disable {email}?", { email: user.email }), label: t("Disable"), danger: true,
    consequence: t("They are signed out at once and can no longer sign in."),
  }, () => api("PATCH", `/v1/users/${encodeURIComponent(user.id)}`, { status: "disabled" }), t("Disable {email}", { email: user.email }));
}

/** Invites a person with one of `roles`, into `organisation` ({partner_id} or {customer_id}; the
 *  inviter's own when empty); `invited` runs once they are. */
export function inviteForm(roles, invited, { organisation = {}, chosen = firstRole[session.me.kind] } = {}) {
  const email = el("input", { type: "email", name: "email", required: true, autocomplete: "off" });
  const name = el("input", { name: "name", autocomplete: "off" });
  const role = el("select", { name: "role" });
  options(role, roles.map((r) => [r, codeShow(r)]), chosen);
  const send = el("input", { type: "checkbox", name: "send_email", checked: true });
  const problem = problemLine();
  const done = el("div", { role: "status" });
  const form = el("form", { className: "inline" }, field(t("Email"), email), field(t("Name"), name), field(t("Role"), role),
                  el("label", { className: "check" }, send, t("Send the invitation by email")),
                  el("button", { type: "submit" }, t("Invite")), problem, done);
  onSubmit(form, problem, async () => {
    const body = { ...organisation, email: email.value.trim(), role: role.value, send_email: send.checked };
    if (name.value.trim()) body.name = name.value.trim();
    const user = await api("POST", "/v1/users", body);
    form.reset();
    // Not e-mailed, the invitation's token is handed on by whoever invites: shown once.
    done.replaceChildren(el("p", { className: "notice" }, t("{email} is invited.", { email: user.email })),
                         user.invitation?.token ? copyable(t("invitation token"), user.invitation.token) : "");
    await invited();
  });
  return form;
}

function keysList(into) {
  return listing(into, {
    path: "/v1/api-keys", empty: t("No API key yet."),
    columns: [
      [t("Name"), (k) => k.name],
      [t("Role"), (k) => codeShow(k.role)],
      [t("Created"), (k) => dateShow(k.created_at)],
      [t("Last used"), (k) => dateShow(k.last_used_at, true)],
      [t("Status"), (k) => (k.revoked ? codeShow("revoked") : codeShow("active"))],
      ...(mayManage() ? [["", (k) => (k.revoked ? "" : revokeButton(k))]] : []),
    ],
  });
}

function revokeButton(key) {
  return confirmedButton(t("Revoke"), {
    question: t("Revoke the key {name}?", { name: key.name }), label: t("Revoke"), danger: true,
    consequence: t("Every program using it is refused from now on. This cannot be undone."),
  }, () => api("DELETE", `/v1/api-keys/${encodeURIComponent(key.id)}`), t("Revoke {name}", { name: key.name }));
}

function keyForm(created) {
  const name = el("input", { name: "name", required: true, maxLength: 200, autocomplete: "off" });
  const problem = problemLine();
  const shown = el("div", { role: "status" });
  const form = el("form", { className: "inline" }, field(t("Key name"), name, t("What uses it, e.g. the billing system.")),
                  el("button", { type: "submit" }, t("Create a key")), problem, shown);
  onSubmit(form, problem, async () => {
    const key = await api("POST", "/v1/api-keys", { name: name.value.trim() });
    form.reset();
    shown.replaceChildren(el("p", { className: "notice" }, t("Copy the key now: it is shown only once.")), copyable(t("API key"), key.api_key));
    await created();
  });
  return form;
}
