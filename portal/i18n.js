// The portal's languages: English, Spanish and Italian, those of the programmes it serves.
// Texts are written in English in the code, through t(); es.js and it.js map each English text
// to its translation (a test checks that every text given to t() or N_() has both). A person's
// language is the one of their account when it is one of these, else the browser's first that
// is, else English.
// Dates are shown in UTC, as the partner programmes' portals show them; amounts in the currency
// of their price.
import { session } from "{{asset:api.js}}";
import es from "{{asset:es.js}}";
import it from "{{asset:it.js}}";

export const languages = [["en", "English"], ["es", "Español"], ["it", "Italiano"]];
const dictionaries = { en: {}, es, it };
let language = "en";

/** Chooses the language: `preferred` (the account's) first, then the browser's. */
export function languageChoose(preferred) {
  const wanted = [preferred, ...(navigator.languages ?? [navigator.language])].filter(Boolean);
  language = wanted.map((tag) => tag.slice(0, 2).toLowerCase()).find((tag) => tag in dictionaries) ?? "en";
  document.documentElement.lang = language;
  return language;
}

export function languageNow() {
  return language;
}

/** `text` in the chosen language, each {name} replaced by values[name]. */
export function t(text, values = {}) {
  const translated = dictionaries[language][text] ?? text;
  return translated.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Marks a text translated later, where it is shown (a page's title, a navigation entry): the
 *  test of the languages finds it. */
export function N_(text) {
  return text;
}

/**
 * A text about `count` things in the form the person's language gives that number: `forms.one`
 * ("{count} seat") or `forms.other` ("{count} seats"), both English and marked with N_, each
 * with {count}. The language's own rules choose (French says "one" of 0 as well).
 */
export function tn(count, forms, values = {}) {
  const form = new Intl.PluralRules(language).select(count) === "one" ? forms.one : forms.other;
  return t(form, { ...values, count });
}

// The API's codes shown to people (statuses, kinds, roles, levels), each as English words.
const codeWords = {
  active: N_("Active"), suspended: N_("Suspended"), revoked: N_("Revoked"), expired: N_("Expired"),
  cancelled: N_("Cancelled"), unlinked: N_("Unlinked"), free: N_("Free"), trial: N_("Trial"), paid: N_("Paid"),
  bronze: N_("Bronze"), silver: N_("Silver"), gold: N_("Gold"), platinum: N_("Platinum"), titanium: N_("Titanium"),
  owner: N_("Owner"), admin: N_("Administrator"), support: N_("Support"), billing: N_("Billing"), auditor: N_("Auditor"),
  billing_admin: N_("Billing admin"), retired: N_("Retired"),
  global_admin: N_("Global admin"), admin_agent: N_("Admin agent"), sales_agent: N_("Sales agent"),
  helpdesk_agent: N_("Helpdesk agent"), customer_admin: N_("Customer administrator"), customer_member: N_("Customer member"),
  invited: N_("Invited"), disabled: N_("Disabled"), pending: N_("Pending"), approved: N_("Approved"), refused: N_("Refused"),
  monthly: N_("Monthly"), annual: N_("Annual"),
};

/** A code of the API ("sales_agent", "past_due") as words people read. */
export function codeShow(code) {
  if (codeWords[code]) return t(codeWords[code]);
  const text = String(code).replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A date (and time, when `withTime`) in UTC; "Never" for none. */
export function dateShow(iso, withTime = false) {
  if (!iso) return t("Never");
  const format = withTime ? { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" } : { dateStyle: "medium", timeZone: "UTC" };
  return new Intl.DateTimeFormat(language, format).format(new Date(iso)) + (withTime ? " UTC" : "");
}

/** How many digits `currency`'s minor unit has (2 for EUR, 0 for JPY). */
export function currencyDigits(currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

/** An amount of `currency` (ISO 4217) given in its minor units (cents), as the API gives them. */
export function moneyShow(minor, currency) {
  return new Intl.NumberFormat(language, { style: "currency", currency }).format(minor / 10 ** currencyDigits(currency));
}

// The refusals people meet in the portal, said in their words (a text, or a function that fills
// one in); any other is the API's message.
const refusals = {
  unreachable: N_("The server could not be reached. Check the connection and try again."),
  forbidden: N_("Your role does not allow this."),
  csrf_failed: N_("This page is out of date: reload it and try again."),
  rate_limited: N_("Too many tries: wait a minute and try again."),
  email_taken: N_("Another customer is already registered with this email."),
  invalid_email: N_("This is not a valid email address."),
  free_license_exists: N_("This customer already has a free license for this product: one free license per customer."),
  partner_cap_reached: () => {
    const partner = session.me?.partner;
    if (!partner?.usage) return t("Your free licenses have reached your level's cap.");
    return t("Your level ({level}) allows {cap} free licenses, and all of them are issued.",
             { level: codeShow(partner.level), cap: partner.usage.free_license_cap });
  },
  partner_domain_email: N_("Free licenses cannot go to an email in your own organisation's domains."),
  partner_not_enabled: N_("Your organisation may not issue licenses yet: ask the vendor to enable it."),
  customer_not_found: N_("No such customer."),
  seat_decrease_window_closed: N_("Seats can only be taken away within 7 days of being added."),
  cancel_window_closed: N_("The 7 days to cancel this term are over."),
  license_not_found: N_("No such license."),
  totp_required: N_("This account also needs its authentication code."),
};

/** What went wrong, as a sentence for people. */
export function problemWords(error) {
  const refusal = refusals[error.code];
  if (typeof refusal === "function") return refusal(error);
  if (refusal) return t(refusal);
  const text = String(error.message ?? error).trim();
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}
