// A subscription on its license's page: seats (and which can still be reduced, until when),
// members, a plan upgrade, a change scheduled for the renewal, automatic renewal, cancellation
// inside its window, and a trial's conversion. Used by the partner's pages; each action only
// where the role allows it.
import { api, can } from "{{asset:api.js}}";
import { N_, codeShow, dateShow, moneyShow, t, tn } from "{{asset:i18n.js}}";
import { confirmed, confirmedButton, details, el, field, listing, onSubmit, options, problemLine, problemSay } from "{{asset:ui.js}}";

function licensePath(license, tail = "") {
  return `/v1/licenses/${encodeURIComponent(license.id)}${tail}`;
}

function again() {
  window.dispatchEvent(new Event("render"));
}

/** What a change would charge (or refund), asked of the server before it is made: the change is
 *  computed as it would be and kept nowhere (?preview=true). */
async function priceOf(license, tail, body) {
  const preview = await api("POST", licensePath(license, `${tail}?preview=true`), body);
  const totals = Object.entries(preview.totals);
  if (totals.length === 0) return t("Nothing is charged or refunded.");
  return totals.map(([currency, amount]) => (amount < 0
    ? t("{amount} is refunded.", { amount: moneyShow(-amount, currency) })
    : t("{amount} is charged now.", { amount: moneyShow(amount, currency) }))).join(" ");
}

export async function subscriptionPart(into, license) {
  const s = license.subscription;
  const reducible = s.seat_decrease.seats_reducible_now;
  into.append(details([
    [t("Term"), codeShow(s.term)],
    [t("Current term"), t("{start} to {end}", { start: dateShow(s.term_start), end: dateShow(s.term_end) })],
    [t("Trial"), s.trial ? t("Yes") : t("No")],
    [t("Renews automatically"), s.auto_renew ? t("Yes") : t("No")],
    [t("Seats"), String(license.seats)],
    [t("Seats that can still be reduced"), reducible > 0
      ? t("{seats} until {until}", { seats: reducible, until: dateShow(s.seat_decrease.until, true) }) : t("None: seats added more than 7 days ago stay until the renewal")],
    [t("Scheduled at renewal"), s.scheduled_change
      ? [s.scheduled_change.tier && t("tier {tier}", { tier: s.scheduled_change.tier }),
         s.scheduled_change.seats && tn(s.scheduled_change.seats, { one: N_("{count} seat"), other: N_("{count} seats") }),
         s.scheduled_change.term && codeShow(s.scheduled_change.term)].filter(Boolean).join(", ")
      : t("Nothing")],
  ]));
  const live = license.status === "active";
  if (live && can("seats_change")) into.append(seatsForm(license, reducible));
  if (live && can("plans_change")) into.append(autoRenewButton(license), upgradeForm(license), scheduleForm(license));
  if (live && s.trial && can("plans_change")) into.append(convertButton(license));
  if (live && can("subscriptions_cancel")) into.append(cancelPart(license));
  const members = el("div");
  into.append(el("h3", {}, t("Members")), members);
  if (live && can("seats_change")) into.append(memberAddForm(license));
  await membersShow(members, license);
}

function seatsForm(license, reducible) {
  // No lower bound but 1 in the field: below what can be reduced, the server says why.
  const seats = el("input", { type: "number", name: "seats", min: 1, value: license.seats, required: true });
  const problem = problemLine();
  const form = el("form", { className: "inline" },
                  field(t("Seats"), seats, t("At least {min}: only seats added in the last 7 days can be taken away.", { min: Math.max(1, license.seats - reducible) })),
                  el("button", { type: "submit" }, t("Change seats")), problem);
  onSubmit(form, problem, async () => {
    const wanted = Number(seats.value);
    const more = wanted > license.seats;
    const price = await priceOf(license, "/seats", { seats: wanted });
    if (!(await confirmed({
      question: tn(wanted, { one: N_("Change to {count} seat?"), other: N_("Change to {count} seats?") }), label: t("Change seats"),
      consequence: `${more ? t("The added seats are charged for the rest of the term, prorated to the day.")
                           : t("The removed seats are refunded for the rest of the term.")} ${price}`,
    }))) return;
    await api("POST", licensePath(license, "/seats"), { seats: wanted });
    again();
  });
  return form;
}

function autoRenewButton(license) {
  const on = license.subscription.auto_renew;
  const button = el("button", { type: "button", className: "quiet" }, on ? t("Turn automatic renewal off") : t("Turn automatic renewal on"));
  const problem = problemLine();
  button.addEventListener("click", async () => {
    try {
      await api("POST", licensePath(license, "/auto-renew"), { on: !on });
      again();
    } catch (error) {
      problemSay(problem, error);
    }
  });
  return el("div", { className: "actions" }, button, problem);
}

async function tiersOf(license) {
  const product = await api("GET", `/v1/products/${encodeURIComponent(license.product)}`);
  return Object.keys(product.prices ?? {}).length ? Object.keys(product.prices) : product.tiers;
}

function upgradeForm(license) {
  const tier = el("select", { name: "tier" });
  const seats = el("input", { type: "number", name: "seats", min: 1, max: license.seats, value: license.seats });
  const problem = problemLine();
  const form = el("form", { className: "inline" }, field(t("New tier"), tier),
                  field(t("Seats to upgrade"), seats, t("Fewer than all: the rest stay on the current tier (a partial upgrade).")),
                  el("button", { type: "submit" }, t("Upgrade now")), problem);
  const opened = el("details", { className: "part" }, el("summary", {}, t("Upgrade")), form);
  opened.addEventListener("toggle", () => opened.open && tiersOf(license).then((tiers) =>
    options(tier, tiers.filter((name) => name !== license.tier).map((name) => [name, name]))).catch((error) => problemSay(problem, error)), { once: true });
  onSubmit(form, problem, async () => {
    const partial = Number(seats.value) < license.seats;
    const body = partial ? { tier: tier.value, seats: Number(seats.value) } : { tier: tier.value };
    const price = await priceOf(license, "/upgrade", body);
    if (!(await confirmed({
      question: t("Upgrade to {tier} now?", { tier: tier.value }), label: t("Upgrade now"),
      consequence: `${partial ? t("The upgraded seats move to a new license on the new tier; the difference is charged for the rest of the term.")
                              : t("The license moves to the new tier at once; the difference is charged for the rest of the term.")} ${price}`,
    }))) return;
    const upgraded = await api("POST", licensePath(license, "/upgrade"), body);
    if (upgraded.id && upgraded.id !== license.id) location.hash = `#/licenses/${encodeURIComponent(upgraded.id)}`;
    else again();
  });
  return opened;
}

function scheduleForm(license) {
  const tier = el("select", { name: "tier" });
  const seats = el("input", { type: "number", name: "seats", min: 1, value: license.seats });
  const term = el("select", { name: "term" });
  options(term, [["", t("Unchanged")], ["monthly", codeShow("monthly")], ["annual", codeShow("annual")]]);
  const problem = problemLine();
  const clear = el("button", { type: "button", className: "quiet", hidden: !license.subscription.scheduled_change }, t("Remove the scheduled change"));
  clear.addEventListener("click", async () => {
    try {
      await api("DELETE", licensePath(license, "/scheduled-change"));
      again();
    } catch (error) {
      problemSay(problem, error);
    }
  });
  const form = el("form", { className: "inline" }, field(t("Tier at renewal"), tier), field(t("Seats at renewal"), seats),
                  field(t("Term at renewal"), term), el("button", { type: "submit" }, t("Schedule")), clear, problem);
  const opened = el("details", { className: "part" }, el("summary", {}, t("Change at renewal")), form);
  opened.addEventListener("toggle", () => opened.open && tiersOf(license).then((tiers) =>
    options(tier, tiers.map((name) => [name, name]), license.tier)).catch((error) => problemSay(problem, error)), { once: true });
  onSubmit(form, problem, async () => {
    const body = { tier: tier.value, seats: Number(seats.value) };
    if (term.value) body.term = term.value;
    await api("POST", licensePath(license, "/scheduled-change"), body);
    again();
  });
  return opened;
}

function convertButton(license) {
  const button = el("button", { type: "button" }, t("Convert the trial to a paid subscription"));
  const problem = problemLine();
  button.addEventListener("click", async () => {
    try {
      const price = await priceOf(license, "/convert", {});
      if (!(await confirmed({ question: t("Convert this trial?"), label: t("Convert"),
                              consequence: `${t("The trial becomes a paid subscription from today.")} ${price}` }))) return;
      await api("POST", licensePath(license, "/convert"), {});
      again();
    } catch (error) {
      problemSay(problem, error);
    }
  });
  return el("div", { className: "actions" }, button, problem);
}

function cancelPart(license) {
  const cancel = license.subscription.cancel;
  if (!cancel.allowed_now) {
    return el("p", { className: "muted" }, t("It can no longer be cancelled: the 7 days to cancel ended on {until}. Turn automatic renewal off to end it at the end of the term.",
                                              { until: dateShow(cancel.until, true) }));
  }
  const button = el("button", { type: "button", className: "danger" }, t("Cancel the subscription"));
  const problem = problemLine();
  button.addEventListener("click", async () => {
    try {
      const refund = await priceOf(license, "/cancel");
      if (!(await confirmed({ question: t("Cancel this subscription?"), label: t("Cancel the subscription"), danger: true,
                              consequence: `${t("It ends at once and stops validating.")} ${refund}` }))) return;
      await api("POST", licensePath(license, "/cancel"));
      again();
    } catch (error) {
      problemSay(problem, error);
    }
  });
  return el("div", { className: "actions" }, el("p", {}, t("It can be cancelled until {until}.", { until: dateShow(cancel.until, true) })), button, problem);
}

async function membersShow(into, license) {
  const removable = license.status === "active" && can("seats_change");
  await listing(into, {
    path: licensePath(license, "/members"), empty: t("No member yet."),
    columns: [
      [t("Email"), (m) => m.email],
      [t("Added"), (m) => dateShow(m.added_at)],
      ...(removable ? [["", (m) => memberRemoveButton(license, m.email)]] : []),
    ],
  });
}

function memberRemoveButton(license, email) {
  return confirmedButton(t("Remove"), {
    question: t("Remove {email}?", { email }), label: t("Remove"),
    consequence: t("Their seat is freed for someone else; the seat itself stays paid."),
  }, () => api("DELETE", licensePath(license, "/members"), { email }), t("Remove {email}", { email }));
}

function memberAddForm(license) {
  const email = el("input", { type: "email", name: "email", required: true, autocomplete: "off" });
  const problem = problemLine();
  const form = el("form", { className: "inline" }, field(t("Member's email"), email), el("button", { type: "submit" }, t("Add member")), problem);
  onSubmit(form, problem, async () => {
    await api("POST", licensePath(license, "/members"), { email: email.value.trim() });
    again();
  });
  return form;
}
