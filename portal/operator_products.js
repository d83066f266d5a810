// The vendor's products: their list, adding one, and a product's page to change its name, add
// tiers, set each tier's prices and the minimum app version each kind of license must run.
import { api, can } from "{{asset:api.js}}";
import { N_, codeShow, currencyDigits, dateShow, moneyShow, t } from "{{asset:i18n.js}}";
import { address, details, el, field, link, listing, onSubmit, problemLine, retitle } from "{{asset:ui.js}}";

const kinds = ["free", "trial", "paid"];
const kindLicenses = { free: N_("Free licenses"), trial: N_("Trial licenses"), paid: N_("Paid licenses") };

function tiersParse(text) {
  return text.split(/[\s,]+/).map((tier) => tier.trim()).filter(Boolean);
}

function priceSummary(product) {
  const prices = Object.entries(product.prices ?? {});
  if (prices.length === 0) return t("No prices");
  return prices.map(([tier, price]) => t("{tier}: {month} a month, {year} a year", {
    tier, month: moneyShow(price.seat_month, price.currency), year: moneyShow(price.seat_year, price.currency),
  })).join("; ");
}

function versionSummary(product) {
  const versions = Object.entries(product.min_version ?? {});
  return versions.length ? versions.map(([kind, version]) => `${codeShow(kind)} ≥ ${version}`).join(", ") : "—";
}

export async function productsShow(section) {
  const list = el("div");
  if (can("products_manage")) section.append(productCreateForm());
  section.append(list);
  await listing(list, {
    path: "/v1/products", empty: t("No product yet."),
    columns: [
      [t("Product"), (p) => link(address("products", p.id), p.name)],
      [t("Tiers"), (p) => p.tiers.join(", ")],
      [t("Prices per seat"), priceSummary],
      [t("Minimum versions"), versionSummary],
    ],
  });
}

function productCreateForm() {
  const id = el("input", { name: "id", required: true, maxLength: 64, pattern: "[a-z0-9_\\-]+", autocomplete: "off" });
  const name = el("input", { name: "name", maxLength: 200, autocomplete: "off" });
  const tiers = el("input", { name: "tiers", value: "standard", required: true });
  const problem = problemLine();
  const form = el("form", { className: "inline" },
                  field(t("Product id"), id, t("Lowercase letters, digits, - and _: licenses and apps name the product by it.")),
                  field(t("Name"), name), field(t("Tiers"), tiers, t("Lowest first, separated by commas.")),
                  el("button", { type: "submit" }, t("Add the product")), problem);
  onSubmit(form, problem, async () => {
    const body = { id: id.value.trim(), tiers: tiersParse(tiers.value) };
    if (name.value.trim()) body.name = name.value.trim();
    const product = await api("POST", "/v1/products", body);
    location.hash = address("products", product.id);
  });
  return el("details", { className: "part" }, el("summary", {}, t("Add a product")), form);
}

export async function productShow(section, id) {
  const product = await api("GET", `/v1/products/${encodeURIComponent(id)}`);
  retitle(section, product.name);
  section.append(details([
    [t("Product id"), el("code", {}, product.id)],
    [t("Tiers"), product.tiers.join(", ")],
    [t("Prices per seat"), priceSummary(product)],
    [t("Minimum versions"), versionSummary(product)],
    [t("Since"), dateShow(product.created_at)],
  ]));
  if (can("products_manage")) section.append(productEditForm(product));
}

/** An amount typed in the currency's units ("12.50") as the API's minor units (1250). */
function minorOf(text, currency) {
  return Math.round(Number(text) * 10 ** currencyDigits(currency));
}

function majorOf(minor, currency) {
  return String(minor / 10 ** currencyDigits(currency));
}

function productEditForm(product) {
  const name = el("input", { name: "name", required: true, maxLength: 200, value: product.name });
  const tiers = el("input", { name: "tiers", required: true, value: product.tiers.join(", ") });
  const versions = Object.fromEntries(kinds.map((kind) => [kind, el("input", {
    name: `min_version_${kind}`, maxLength: 20, value: product.min_version?.[kind] ?? "", placeholder: t("Any"),
  })]));
  // One row per tier: its currency and its prices per seat, a month and a year; empty: not sold.
  const rows = product.tiers.map((tier) => {
    const price = product.prices?.[tier];
    const currency = el("input", { name: `currency_${tier}`, maxLength: 3, size: 4, value: price?.currency ?? "EUR", "aria-label": t("Currency of {tier}", { tier }) });
    const month = el("input", { type: "number", min: 0, step: "any", name: `seat_month_${tier}`, "aria-label": t("Price a month of {tier}", { tier }),
                                value: price ? majorOf(price.seat_month, price.currency) : "" });
    const year = el("input", { type: "number", min: 0, step: "any", name: `seat_year_${tier}`, "aria-label": t("Price a year of {tier}", { tier }),
                               value: price ? majorOf(price.seat_year, price.currency) : "" });
    return { tier, currency, month, year };
  });
  const table = el("table", {},
                   el("thead", {}, el("tr", {}, ...[t("Tier"), t("Currency"), t("A seat a month"), t("A seat a year")].map((h) => el("th", { scope: "col" }, h)))),
                   el("tbody", {}, ...rows.map((row) => el("tr", {}, el("td", {}, row.tier), el("td", {}, row.currency), el("td", {}, row.month), el("td", {}, row.year)))));
  const problem = problemLine();
  const saved = el("p", { className: "notice", role: "status", hidden: true }, t("Saved."));
  const form = el("form", { className: "narrow" }, field(t("Name"), name),
                  field(t("Tiers"), tiers, t("Tiers can be added at the end, never taken away: licenses name them.")),
                  el("h3", {}, t("Prices per seat")), el("p", { className: "muted" }, t("A tier without prices cannot be sold as a subscription.")),
                  el("div", { className: "scroll" }, table),
                  el("h3", {}, t("Minimum app versions")),
                  ...kinds.map((kind) => field(t(kindLicenses[kind]), versions[kind])),
                  el("button", { type: "submit" }, t("Save")), problem, saved);
  onSubmit(form, problem, async () => {
    saved.hidden = true;
    const prices = {};
    for (const row of rows) {
      if (row.month.value === "" && row.year.value === "") continue;
      const currency = row.currency.value.trim().toUpperCase();
      prices[row.tier] = { currency, seat_month: minorOf(row.month.value || 0, currency), seat_year: minorOf(row.year.value || 0, currency) };
    }
    const minVersion = Object.fromEntries(kinds.filter((kind) => versions[kind].value.trim()).map((kind) => [kind, versions[kind].value.trim()]));
    const changed = await api("PATCH", `/v1/products/${encodeURIComponent(product.id)}`, {
      name: name.value.trim(), tiers: tiersParse(tiers.value), prices, min_version: minVersion,
    });
    // A tier added gets its row of prices: the page again, as the product now is.
    if (changed.tiers.length !== product.tiers.length) window.dispatchEvent(new Event("render"));
    else saved.hidden = false;
  });
  return el("details", { className: "part" }, el("summary", {}, t("Change the product")), form);
}
