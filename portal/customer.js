// The customer's area: its licenses and subscriptions, where its partner allows self-service.
import { t } from "{{asset:i18n.js}}";
import { el } from "{{asset:ui.js}}";

function homeShow(section) {
  section.append(el("p", {}, t("Your area's pages are on their way.")));
}

export const customerArea = {
  home: "#/home",
  nav: [["#/home", "Home"]],
  views: { home: { title: "Your licenses", show: homeShow } },
};
