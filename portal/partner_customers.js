// The partner's customers: search by the start of an email, name or VAT number; register; a
// customer's page with its business information, settings, licenses and people.
import { api, can } from "{{asset:api.js}}";
import { codeShow, dateShow, t } from "{{asset:i18n.js}}";
import { licenseColumns } from "{{asset:licenses.js}}";
import { address, debounced, details, el, field, link, listing, onSubmit, part, problemLine, problemSay, retitle } from "{{asset:ui.js}}";

export async function customersShow(section, _id, parameters) {
  const search = el("input", { type: "search", name: "q", value: parameters.get("q") ?? "", maxLength: 200 });
  // Sorted by the server, the newest first unless the address says otherwise; a search lists by
  // the text found.
  const sort = el("select", { name: "sort" }, ...[["-registered", t("Newest first")], ["registered", t("Oldest first")]]
    .map(([value, text]) => el("option", { value, selected: value === (parameters.get("sort") ?? "-registered") }, text)));
  const exported = el("a", { href: "/v1/exports/customers", download: "customers.csv" }, t("Export as CSV"));
  const results = el("div");
  const load = () => {
    const q = search.value.trim();
    sort.disabled = Boolean(q);
    const asked = q ? { q } : { sort: sort.value };
    exported.href = `/v1/exports/customers?${new URLSearchParams(asked)}`;
    // The search is part of the address, so Back and a reload keep it; replaceState does not
    // fire hashchange, so the page is not rebuilt under the person typing.
    const shown = q || sort.value !== "-registered" ? `?${new URLSearchParams(asked)}` : "";
    history.replaceState(null, "", `#/customers${shown}`);
    return listing(results, {
      path: "/v1/customers", parameters: asked, empty: q ? t("No customer matches.") : t("No customers yet."),
      columns: [
        [t("Email"), (c) => link(address("customers", c.id), c.email)],
        [t("Name"), (c) => c.name],
        [t("VAT number"), (c) => c.vat_number ?? ""],
        [t("Licenses"), (c) => (c.licenses_held > 0 ? String(c.licenses_held) : t("None"))],
        [t("Registered"), (c) => dateShow(c.created_at)],
      ],
    }).catch((error) => {
      const problem = problemLine();
      problemSay(problem, error);
      results.replaceChildren(problem);
    });
  };
  const searchForm = el("form", { className: "search", role: "search" },
                        field(t("Search by the start of the email, name or VAT number"), search),
                        field(t("Order"), sort, t("By the text found when searching.")), el("button", { type: "submit" }, t("Search")));
  searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    load();
  });
  search.addEventListener("input", debounced(load));
  sort.addEventListener("change", load);
  if (can("customers_create")) section.append(registerForm(() => {
    search.value = "";
    return load();
  }));
  section.append(el("section", { className: "part" }, el("h2", {}, t("Customers")), searchForm, el("p", {}, exported), results));
  await load();
}

function registerForm(registered) {
  const email = el("input", { type: "email", name: "email", autocomplete: "off", required: true });
  const name = el("input", { name: "name", autocomplete: "off" });
  const vat = el("input", { name: "vat_number", autocomplete: "off" });
  const ownNotifications = el("input", { type: "checkbox", name: "manages_own_notifications" });
  const problem = problemLine();
  const done = el("p", { className: "notice", role: "status" });
  const form = el("form", { className: "inline" }, field(t("Email"), email), field(t("Name"), name),
                  field(t("VAT number"), vat, t("EU numbers with their country prefix, e.g. IE6388047V.")),
                  el("label", { className: "check" }, ownNotifications, t("This customer manages its own notifications")),
                  el("button", { type: "submit" }, t("Register")), problem, done);
  onSubmit(form, problem, async () => {
    done.textContent = "";
    const body = { email: email.value.trim(), manages_own_notifications: ownNotifications.checked };
    if (name.value.trim()) body.name = name.value.trim();
    if (vat.value.trim()) body.vat_number = vat.value.trim();
    const customer = await api("POST", "/v1/customers", body);
    form.reset();
    done.replaceChildren(el("span", {}, t("Registered {email}.", { email: customer.email })), " ",
                         link(address("customers", customer.id), t("Open its page")));
    await registered();
  });
  return el("section", { className: "part" }, el("h2", {}, t("Register a customer")), form);
}

export async function customerShow(section, id) {
  const customer = await api("GET", `/v1/customers/${encodeURIComponent(id)}`);
  retitle(section, customer.name || customer.email);
  section.append(details([
    [t("Email"), customer.email],
    [t("Name"), customer.name || "—"],
    [t("VAT number"), customer.vat_number ?? "—"],
    [t("Address"), customer.address ?? "—"],
    [t("Registered"), dateShow(customer.created_at)],
    [t("Self-service"), customer.self_service ? t("On: its administrators manage its subscriptions") : t("Off")],
    [t("Notifications"), customer.manages_own_notifications ? t("It manages its own") : t("Sent to you")],
  ]));
  if (can("licenses_issue")) {
    section.append(el("p", { className: "actions" },
                      link(`#/issue?${new URLSearchParams({ customer: customer.id })}`, t("Issue a license to this customer")),
                      link(`#/subscribe?${new URLSearchParams({ customer: customer.id })}`, t("Add a subscription"))));
  }
  if (can("customers_manage")) section.append(customerEditForm(customer));
  await Promise.all([
    part(section, t("Licenses and subscriptions"), (into) => listing(into, {
      path: "/v1/licenses", parameters: { customer_id: customer.id }, columns: licenseColumns(), empty: t("None yet."),
    })),
    can("users_read") && part(section, t("Its people"), (into) => listing(into, {
      path: "/v1/users", parameters: { customer_id: customer.id }, empty: t("Nobody yet."),
      columns: [[t("Email"), (u) => u.email], [t("Name"), (u) => u.name ?? ""], [t("Role"), (u) => codeShow(u.role)],
                [t("Status"), (u) => codeShow(u.status)]],
    })),
  ]);
}

function customerEditForm(customer) {
  const name = el("input", { name: "name", value: customer.name ?? "" });
  const vat = el("input", { name: "vat_number", value: customer.vat_number ?? "" });
  const where = el("input", { name: "address", value: customer.address ?? "" });
  const selfService = el("input", { type: "checkbox", name: "self_service", checked: customer.self_service });
  const ownNotifications = el("input", { type: "checkbox", name: "manages_own_notifications", checked: customer.manages_own_notifications });
  const problem = problemLine();
  const form = el("form", { className: "narrow" }, field(t("Name"), name), field(t("VAT number"), vat), field(t("Address"), where),
                  el("label", { className: "check" }, selfService, t("Its administrators manage its subscriptions (self-service)")),
                  el("label", { className: "check" }, ownNotifications, t("This customer manages its own notifications")),
                  el("button", { type: "submit" }, t("Save")), problem);
  onSubmit(form, problem, async () => {
    await api("PATCH", `/v1/customers/${encodeURIComponent(customer.id)}`, {
      name: name.value.trim(), vat_number: vat.value.trim(), address: where.value.trim(),
      self_service: selfService.checked, manages_own_notifications: ownNotifications.checked,
    });
    window.dispatchEvent(new Event("render"));
  });
  return el("details", { className: "part" }, el("summary", {}, t("Edit business information and settings")), form);
}
