// The vendor's console: partners, products, signing keys, the audit log, operator users.
import { t } from "{{asset:i18n.js}}";
import { el } from "{{asset:ui.js}}";

function homeShow(section) {
  section.append(el("p", {}, t("The console's pages are on their way; every operation is in the HTTP API.")));
}

export const operatorArea = {
  home: "#/home",
  nav: [["#/home", "Home"]],
  views: { home: { title: "Console", show: homeShow } },
};
