// The vendor's console: partners (and their requests to be enabled), products, signing keys, the
// audit log, the operators themselves. Each page and action only where the operator's role allows
// it (the server checks again); the pages live in operator_*.js and team.js.
import { api, can } from "{{asset:api.js}}";
import { N_, t } from "{{asset:i18n.js}}";
import { auditShow } from "{{asset:operator_audit.js}}";
import { keysShow } from "{{asset:operator_keys.js}}";
import { enablingRequestsList, partnerShow, partnersShow } from "{{asset:operator_partners.js}}";
import { productShow, productsShow } from "{{asset:operator_products.js}}";
import { teamShow } from "{{asset:team.js}}";
import { details, el, link, part } from "{{asset:ui.js}}";

// What waits for an operator: partners asking to be enabled, and a re-signing still going on.
function homeShow(section) {
  return Promise.all([
    can("partners_read") && part(section, t("Requests to be enabled"), enablingRequestsList),
    can("keys_read") && part(section, t("Signing keys"), async (into) => {
      const keys = await api("GET", "/v1/keys");
      into.append(details([
        [t("Keyring version"), String(keys.version)],
        [t("Re-signing"), keys.resigning.length ? t("In progress") : t("None in progress")],
      ]), link("#/keys", t("The signing keys")));
    }),
    !can("partners_read") && !can("keys_read") && section.append(el("p", {}, t("Your role has no page in the console yet."))),
  ]);
}

export const operatorArea = {
  home: "#/home",
  nav: [
    ["#/home", N_("Home")],
    ["#/partners", N_("Partners"), "partners_read"],
    ["#/products", N_("Products"), "products_read"],
    ["#/keys", N_("Signing keys"), "keys_read"],
    ["#/audit", N_("Audit log"), "audit_read"],
    ["#/team", N_("Operators"), "users_read"],
  ],
  views: {
    home: { title: N_("Console"), show: homeShow },
    partners: { title: N_("Partners"), show: partnersShow, needs: "partners_read",
                withId: { title: N_("Partner"), show: partnerShow, needs: "partners_read" } },
    products: { title: N_("Products"), show: productsShow, needs: "products_read",
                withId: { title: N_("Product"), show: productShow, needs: "products_read" } },
    keys: { title: N_("Signing keys"), show: keysShow, needs: "keys_read" },
    audit: { title: N_("Audit log"), show: auditShow, needs: "audit_read" },
    team: { title: N_("Operators"), show: teamShow, needs: "users_read" },
  },
};
