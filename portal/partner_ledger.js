// The partner's ledger by period: every charge and refund of its subscriptions in a month (or any
// period), with the totals by currency, and the same period as CSV.
import { api, query } from "{{asset:api.js}}";
import { codeShow, dateShow, moneyShow, t } from "{{asset:i18n.js}}";
import { address, el, field, link, onSubmit, problemLine } from "{{asset:ui.js}}";

/** The first instant of `month` ("2026-12") and of the month after, in UTC. */
function monthBounds(month) {
  const [year, number] = month.split("-").map(Number);
  return { from: new Date(Date.UTC(year, number - 1, 1)).toISOString(), to: new Date(Date.UTC(year, number, 1)).toISOString() };
}

export async function ledgerShow(section, _id, parameters) {
  const month = el("input", { type: "month", name: "month", required: true,
                              value: parameters.get("month") ?? new Date().toISOString().slice(0, 7) });
  const problem = problemLine();
  const results = el("div");
  const form = el("form", { className: "search" }, field(t("Month (UTC)"), month), el("button", { type: "submit" }, t("Show")), problem);
  section.append(form, results);
  const load = async () => {
    history.replaceState(null, "", `#/ledger?${new URLSearchParams({ month: month.value })}`);
    await periodShow(results, monthBounds(month.value));
  };
  onSubmit(form, problem, load);
  await load();
}

// The whole period is read (a month's entries, page by page), because its totals need them all.
async function periodShow(into, period) {
  const entries = [];
  let after = null;
  do {
    const page = await api("GET", query("/v1/ledger", { ...period, limit: 500, after }));
    entries.push(...page.items);
    after = page.next;
  } while (after);
  const totals = new Map();
  for (const entry of entries) totals.set(entry.currency, (totals.get(entry.currency) ?? 0) + entry.amount);
  const rows = entries.map((entry) => el("tr", {},
    el("td", {}, dateShow(entry.at, true)),
    el("td", {}, link(address("licenses", entry.license_id), entry.license_id)),
    el("td", {}, codeShow(entry.type)),
    el("td", {}, codeShow(entry.reason)),
    el("td", {}, t("{seats} × {tier}", { seats: entry.seats, tier: entry.tier })),
    el("td", { className: "amount" }, moneyShow(entry.amount, entry.currency))));
  const csv = el("a", { href: query("/v1/exports/ledger", period), download: "ledger.csv" }, t("Export as CSV"));
  into.replaceChildren(
    el("p", { id: "ledger-totals" }, entries.length === 0 ? t("No charge or refund in this period.")
      : t("Total: {totals}", { totals: [...totals].map(([currency, sum]) => moneyShow(sum, currency)).join(" · ") })),
    el("div", { className: "scroll" }, el("table", { hidden: entries.length === 0 },
      el("thead", {}, el("tr", {}, ...[t("When"), t("License"), t("Type"), t("Reason"), t("Seats"), t("Amount")]
        .map((heading) => el("th", { scope: "col" }, heading)))),
      el("tbody", {}, ...rows))),
    el("p", {}, csv));
}
