// Licenses: their list, issuing licenses and subscriptions, and a license's page (its keys to
// copy, its delivery letter, and the changes the person's role allows, each behind a
// confirmation saying what happens). Shared by the partner's pages and the customer's area.
import { api, can, query } from "{{asset:api.js}}";
import { N_, codeShow, dateShow, moneyShow, t, tn } from "{{asset:i18n.js}}";
import { subscriptionPart } from "{{asset:subscription.js}}";
import {
  address, confirmed, copyable, copyButton, debounced, details, el, field, link, listing, onSubmit, options, part, problemLine, problemSay, retitle,
  statusBadge,
} from "{{asset:ui.js}}";

export function licenseColumns() {
  return [
    [t("License"), (l) => link(address("licenses", l.id), `${l.product} · ${l.tier}`)],
    [t("Email"), (l) => l.email],
    [t("Kind"), (l) => codeShow(l.kind)],
    [t("Seats"), (l) => String(l.seats)],
    [t("Status"), (l) => statusBadge(l.status)],
    [t("Expires"), (l) => dateShow(l.expires_at)],
  ];
}

// The licenses the person may see (a partner's, or a customer's), filtered by the server.
export async function licensesShow(section, _id, parameters) {
  const status = el("select", { name: "status" });
  const kind = el("select", { name: "kind" });
  const email = el("input", { type: "search", name: "email", maxLength: 200, value: parameters.get("email") ?? "" });
  const any = ["", t("Any")];
  status.replaceChildren(...[any, ...["active", "suspended", "revoked", "expired", "cancelled"].map((s) => [s, codeShow(s)])]
    .map(([value, text]) => el("option", { value, selected: value === (parameters.get("status") ?? "") }, text)));
  kind.replaceChildren(...[any, ...["free", "trial", "paid"].map((k) => [k, codeShow(k)])]
    .map(([value, text]) => el("option", { value, selected: value === (parameters.get("kind") ?? "") }, text)));
  // The server sorts; the newest first unless the address says otherwise. A search by email
  // lists by email.
  const sort = el("select", { name: "sort" }, ...[["-issued", t("Newest first")], ["issued", t("Oldest first")],
                                                 ["expires", t("Expiring soonest first")], ["-expires", t("Expiring latest first")]]
    .map(([value, text]) => el("option", { value, selected: value === (parameters.get("sort") ?? "-issued") }, text)));
  const results = el("div");
  const form = el("form", { className: "search", role: "search" }, field(t("Email starts with"), email), field(t("Status"), status),
                  field(t("Kind"), kind), field(t("Order"), sort, t("By email when searching by email.")),
                  el("button", { type: "submit" }, t("Filter")));
  // The filters and order asked for (no order with an email), without the empty ones.
  const asked = () => {
    const prefix = email.value.trim();
    return Object.entries({ email: prefix, status: status.value, kind: kind.value, sort: prefix ? "" : sort.value }).filter(([, v]) => v);
  };
  const load = () => {
    const kept = asked();
    const shown = kept.filter(([name, value]) => !(name === "sort" && value === "-issued"));  // the address omits the default
    history.replaceState(null, "", shown.length ? `#/licenses?${new URLSearchParams(shown)}` : "#/licenses");
    return listing(results, { path: "/v1/licenses", parameters: Object.fromEntries(kept), columns: licenseColumns(),
                              empty: t("No license matches.") });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  const exported = el("a", { href: "/v1/exports/licenses", download: "licenses.csv" }, t("Export as CSV"));
  form.addEventListener("change", () => {
    sort.disabled = Boolean(email.value.trim());
    exported.href = `/v1/exports/licenses?${new URLSearchParams(asked())}`;
  });
  section.append(form, el("p", {}, exported), results);
  form.dispatchEvent(new Event("change"));
  await load();
}

// Issuing ---------------------------------------------------------------------------------------

/** A customer chooser: a search by the start of email, name or VAT number, and the matches. */
function customerChooser(presetId, problem) {
  const find = el("input", { type: "search", autocomplete: "off", maxLength: 200 });
  const select = el("select", { name: "customer_id", required: true });
  const label = (c) => (c.name ? `${c.name} (${c.email})` : c.email);
  let preset = null;
  async function load() {
    if (presetId && !preset) preset = await api("GET", `/v1/customers/${encodeURIComponent(presetId)}`);
    const page = await api("GET", query("/v1/customers", { q: find.value.trim(), limit: 100 }));
    const found = page.items.map((c) => [c.id, label(c)]);
    if (preset && !found.some(([id]) => id === preset.id)) found.unshift([preset.id, label(preset)]);
    options(select, found, select.value || preset?.id);
    if (found.length === 0) problem.textContent = t("No customer matches: register the customer first.");
    else if (problem.textContent === t("No customer matches: register the customer first.")) problem.textContent = "";
  }
  find.addEventListener("input", debounced(() => load().catch((error) => problemSay(problem, error))));
  return {
    select, load,
    fields: [field(t("Find a customer"), find, t("The start of the email, name or VAT number.")), field(t("Customer"), select)],
  };
}

async function productsAll() {
  return (await api("GET", "/v1/products?limit=500")).items;
}

function productName(product) {
  return product.name || product.id;
}

export async function issueShow(section, _id, parameters) {
  const products = await productsAll();
  if (products.length === 0) {
    section.append(el("p", {}, t("No products can be licensed yet: the vendor adds them.")));
    return;
  }
  const problem = problemLine();
  const chooser = customerChooser(parameters.get("customer"), problem);
  const product = el("select", { name: "product" });
  const kind = el("select", { name: "kind" });
  const tier = el("select", { name: "tier", required: true });
  const seats = el("input", { type: "number", name: "seats", min: 1, value: 1, required: true });
  const term = el("input", { type: "number", name: "term_days", min: 1, max: 3650, placeholder: t("Perpetual") });
  const termField = field(t("Term in days"), term, t("Empty: a paid license that never expires."));
  const rule = el("p", { className: "muted" });
  const submit = el("button", { type: "submit" }, t("Issue"));
  options(product, products.map((p) => [p.id, productName(p)]));
  options(kind, [["paid", codeShow("paid")], ["free", codeShow("free")], ["trial", codeShow("trial")]]);

  // Free and trial licenses stay within the product's policy (tiers, seats): the form offers only
  // what the policy allows, and the server checks it again.
  function policyApply() {
    const chosen = products.find((p) => p.id === product.value);
    const policy = kind.value === "paid" ? null : chosen.policy?.[kind.value];
    const tiers = policy ? policy.tiers : chosen.tiers;
    options(tier, tiers.map((name) => [name, name]), tier.value);
    seats.max = policy ? policy.max_seats : "";
    if (policy && Number(seats.value) > policy.max_seats) seats.value = policy.max_seats;
    termField.hidden = kind.value !== "paid";
    submit.disabled = tiers.length === 0;
    rule.textContent = !policy ? ""
      : tiers.length === 0 ? t("{product} offers no licenses of this kind.", { product: productName(chosen) })
      : tn(policy.max_seats, { one: N_("{kind} licenses of {product}: tiers {tiers}, at most {count} seat."),
                            other: N_("{kind} licenses of {product}: tiers {tiers}, at most {count} seats.") },
           { kind: codeShow(kind.value), product: productName(chosen), tiers: tiers.join(", ") });
  }
  product.addEventListener("change", policyApply);
  kind.addEventListener("change", policyApply);
  policyApply();

  const form = el("form", { className: "narrow" }, ...chooser.fields, field(t("Product"), product), field(t("Kind"), kind),
                  field(t("Tier"), tier), field(t("Seats"), seats), termField, rule, submit, problem);
  section.append(form);
  await chooser.load();
  onSubmit(form, problem, async () => {
    const body = { customer_id: chooser.select.value, product: product.value, kind: kind.value, tier: tier.value, seats: Number(seats.value) };
    if (kind.value === "paid" && term.value) body.term_days = Number(term.value);
    const issued = await api("POST", "/v1/licenses", body);
    location.hash = address("licenses", issued.id);
  });
}

export async function subscribeShow(section, _id, parameters) {
  const products = await productsAll();
  const priced = products.filter((p) => Object.keys(p.prices ?? {}).length > 0);
  if (priced.length === 0) {
    section.append(el("p", {}, t("No product has prices yet: the vendor sets them.")));
    return;
  }
  const problem = problemLine();
  const chooser = customerChooser(parameters.get("customer"), problem);
  const product = el("select", { name: "product" });
  const tier = el("select", { name: "tier" });
  const term = el("select", { name: "term" });
  const seats = el("input", { type: "number", name: "seats", min: 1, value: 1, required: true });
  const autoRenew = el("input", { type: "checkbox", name: "auto_renew", checked: true });
  const trial = el("input", { type: "checkbox", name: "trial" });
  const price = el("p", { className: "muted", role: "status" });
  options(product, priced.map((p) => [p.id, productName(p)]));
  options(term, [["monthly", codeShow("monthly")], ["annual", codeShow("annual")]]);
  function pricesShow() {
    const chosen = priced.find((p) => p.id === product.value);
    options(tier, Object.keys(chosen.prices).map((name) => [name, name]), tier.value);
    const tierPrice = chosen.prices[tier.value];
    const perSeat = term.value === "annual" ? tierPrice.seat_year : tierPrice.seat_month;
    price.textContent = trial.checked ? t("A trial is free.")
      : tn(Number(seats.value || 0), { one: N_("{amount} per term before your discount ({count} seat at {each})."),
                                      other: N_("{amount} per term before your discount ({count} seats at {each}).") }, {
          amount: moneyShow(perSeat * Number(seats.value || 0), tierPrice.currency), each: moneyShow(perSeat, tierPrice.currency),
        });
  }
  for (const control of [product, tier, term, seats, trial]) control.addEventListener("input", pricesShow);
  pricesShow();
  const form = el("form", { className: "narrow" }, ...chooser.fields, field(t("Product"), product), field(t("Tier"), tier),
                  field(t("Term"), term), field(t("Seats"), seats),
                  el("label", { className: "check" }, autoRenew, t("Renew automatically at the end of each term")),
                  el("label", { className: "check" }, trial, t("A trial (free, 30 days)")), price,
                  el("button", { type: "submit" }, t("Create the subscription")), problem);
  section.append(form);
  await chooser.load();
  onSubmit(form, problem, async () => {
    const created = await api("POST", "/v1/subscriptions", {
      customer_id: chooser.select.value, product: product.value, tier: tier.value, term: term.value,
      seats: Number(seats.value), auto_renew: autoRenew.checked, trial: trial.checked,
    });
    location.hash = address("licenses", created.id);
  });
}

// A license -------------------------------------------------------------------------------------

/** What each change does, said before it is made. */
function licenseActions() {
  return [
    { path: "suspend", label: t("Suspend"), needs: "licenses_hold", when: (l) => l.status === "active",
      question: t("Suspend this license?"),
      consequence: t("Validation answers “suspended” at once, so the app stops working for every seat until the license is reinstated. A subscription's automatic renewal is turned off.") },
    { path: "reinstate", label: t("Reinstate"), needs: "licenses_hold", when: (l) => l.status === "suspended",
      question: t("Reinstate this license?"), consequence: t("It validates again at once, as it did before the suspension.") },
    { path: "unlink", label: t("Unlink"), needs: "licenses_change", when: (l) => l.customer_id && l.status !== "revoked",
      question: t("Unlink this license from its customer?"),
      consequence: t("The license stays valid but belongs to no customer until it is transferred to one.") },
    { path: "revoke", label: t("Revoke"), needs: "licenses_change", when: (l) => l.status !== "revoked", danger: true,
      question: t("Revoke this license?"), consequence: t("This is final: the license stops validating at once and can never be reinstated.") },
    { method: "DELETE", label: t("Delete"), needs: "licenses_change", when: () => true, danger: true,
      question: t("Delete this license?"),
      consequence: t("It is removed from your lists and stops validating at once; its records stay in the audit log.") },
  ];
}

export async function licenseShow(section, id) {
  const license = await api("GET", `/v1/licenses/${encodeURIComponent(id)}`);
  retitle(section, t("{product} · {tier} for {email}", { product: license.product, tier: license.tier, email: license.email }));
  const customer = license.customer_id && can("customers_read") ? link(address("customers", license.customer_id), license.email) : license.email;
  const problem = problemLine();
  section.append(
    details([
      [t("Status"), statusBadge(license.status)],
      [t("Customer"), customer],
      [t("Product"), license.product],
      [t("Tier"), license.tier],
      [t("Kind"), codeShow(license.kind)],
      [t("Seats"), String(license.seats)],
      [t("Features"), license.features.length ? license.features.join(", ") : "—"],
      [t("Issued"), dateShow(license.issued_at)],
      [t("Expires"), dateShow(license.expires_at)],
      [t("Activation key"), copyable(t("activation key"), license.activation_key)],
      [t("Token"), copyable(t("token"), license.token)],
    ]),
    el("div", { className: "actions" }, ...licenseActions().filter((action) => can(action.needs) && action.when(license))
      .map((action) => actionButton(action, license, problem))),
    problem);
  if (can("licenses_transfer") && license.status !== "revoked") section.append(transferForm(license));
  await Promise.all([
    license.subscription && part(section, t("Subscription"), (into) => subscriptionPart(into, license)),
    // The letter carries the token: only for a license in force.
    license.status === "active" && part(section, t("Delivery letter"), (into) => letterShow(into, license)),
  ]);
}

function actionButton(action, license, problem) {
  const button = el("button", { type: "button", className: action.danger ? "danger" : "" }, action.label);
  button.addEventListener("click", async () => {
    if (!(await confirmed(action))) return;
    button.disabled = true;
    try {
      const target = `/v1/licenses/${encodeURIComponent(license.id)}`;
      if (action.method === "DELETE") {
        await api("DELETE", target);
        location.hash = license.customer_id ? address("customers", license.customer_id) : "#/licenses";
        return;
      }
      await api("POST", `${target}/${action.path}`);
      window.dispatchEvent(new Event("render"));  // the license as it is now, with the changes it now allows
    } catch (error) {
      problemSay(problem, error);
      button.disabled = false;
    }
  });
  return button;
}

function transferForm(license) {
  const problem = problemLine();
  const chooser = customerChooser(null, problem);
  const form = el("form", { className: "narrow" }, ...chooser.fields, el("button", { type: "submit" }, t("Transfer")), problem);
  const opened = el("details", { className: "part" }, el("summary", {}, t("Transfer to another customer")), form);
  opened.addEventListener("toggle", () => opened.open && chooser.load().catch((error) => problemSay(problem, error)), { once: true });
  onSubmit(form, problem, async () => {
    const target = chooser.select.selectedOptions[0]?.textContent ?? "";
    if (!(await confirmed({ question: t("Transfer this license to {customer}?", { customer: target }), label: t("Transfer"),
                            consequence: t("The license is bound to the new customer's email; the current holder's token stops validating.") }))) return;
    await api("POST", `/v1/licenses/${encodeURIComponent(license.id)}/transfer`, { customer_id: chooser.select.value });
    window.dispatchEvent(new Event("render"));
  });
  return opened;
}

async function letterShow(into, license) {
  const letter = await api("GET", `/v1/licenses/${encodeURIComponent(license.id)}/delivery`);
  const sent = el("p", { className: "notice", role: "status" });
  const problem = problemLine();
  const send = el("button", { type: "button" }, t("Send it to {email}", { email: letter.email }));
  send.hidden = !can("letters_send");
  send.addEventListener("click", async () => {
    send.disabled = true;
    try {
      await api("POST", `/v1/licenses/${encodeURIComponent(license.id)}/delivery/send`);
      sent.textContent = t("The letter is on its way to {email}.", { email: letter.email });
    } catch (error) {
      problemSay(problem, error);
    } finally {
      send.disabled = false;
    }
  });
  into.replaceChildren(el("p", {}, el("strong", {}, letter.subject)), el("pre", { className: "letter", tabIndex: 0, "aria-label": t("letter") }, letter.instructions),
                       el("div", { className: "actions" }, copyButton(t("letter"), letter.instructions), send), sent, problem);
}
