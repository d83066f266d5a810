// The audit log: every change, who made it, to what, when, filtered by the server (action,
// actor, target, a period of days in UTC).
import { dateShow, t } from "{{asset:i18n.js}}";
import { el, field, listing } from "{{asset:ui.js}}";

const filters = ["action", "actor", "target", "from", "to"];

/** ?from and ?to are days (YYYY-MM-DD, UTC), the API's are times: a day's start and its end. */
function queryOf(values) {
  const out = { action: values.action, actor: values.actor, target: values.target, order: "newest" };
  if (values.from) out.from = `${values.from}T00:00:00Z`;
  if (values.to) out.to = `${values.to}T23:59:59Z`;
  return out;
}

export async function auditShow(section, _id, parameters) {
  const inputs = {
    action: el("input", { type: "search", name: "action", maxLength: 100, placeholder: "license.", value: parameters.get("action") ?? "" }),
    actor: el("input", { type: "search", name: "actor", maxLength: 200, placeholder: "user:usr_…", value: parameters.get("actor") ?? "" }),
    target: el("input", { type: "search", name: "target", maxLength: 200, value: parameters.get("target") ?? "" }),
    from: el("input", { type: "date", name: "from", value: parameters.get("from") ?? "" }),
    to: el("input", { type: "date", name: "to", value: parameters.get("to") ?? "" }),
  };
  const results = el("div");
  const form = el("form", { className: "search", role: "search" },
                  field(t("Action starts with"), inputs.action), field(t("Actor"), inputs.actor), field(t("Target"), inputs.target),
                  field(t("From (UTC)"), inputs.from), field(t("To (UTC)"), inputs.to), el("button", { type: "submit" }, t("Filter")));
  const load = () => {
    const values = Object.fromEntries(filters.map((name) => [name, inputs[name].value.trim()]));
    const kept = Object.entries(values).filter(([, value]) => value);
    history.replaceState(null, "", kept.length ? `#/audit?${new URLSearchParams(kept)}` : "#/audit");
    return listing(results, {
      path: "/v1/audit", parameters: queryOf(values), empty: t("No entry matches."),
      columns: [
        [t("When"), (entry) => dateShow(entry.at, true)],
        [t("Actor"), (entry) => entry.actor],
        [t("Action"), (entry) => el("code", {}, entry.action)],
        [t("Target"), (entry) => entry.target],
        [t("Details"), (entry) => el("code", { className: "wrap" }, JSON.stringify(entry.details ?? {}))],
        [t("Request"), (entry) => entry.request_id ?? "—"],
      ],
    });
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  section.append(el("p", { className: "muted" }, t("Newest first. Each change of the store is here, with the request that made it.")), form, results);
  await load();
}
