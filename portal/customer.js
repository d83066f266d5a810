// The customer's area: its licenses and subscriptions (keys and tokens to copy; members, more
// seats, an upgrade, a cancellation where its role allows), and its people. What the customer may
// change is its partner's choice (self-service): while it is off, these pages only show.
import { session } from "{{asset:api.js}}";
import { N_, t } from "{{asset:i18n.js}}";
import { licenseShow, licensesShow } from "{{asset:licenses.js}}";
import { teamShow } from "{{asset:team.js}}";
import { el } from "{{asset:ui.js}}";

async function homeShow(section, id, parameters) {
  if (!session.me.customer?.self_service) {
    section.append(el("p", { className: "notice", role: "status" },
                      t("{partner} manages these licenses for you: ask them for a change.", { partner: session.me.partner?.name ?? "" })));
  }
  await licensesShow(section, id, parameters);
}

export const customerArea = {
  home: "#/licenses",
  nav: [
    ["#/licenses", N_("Your licenses"), "licenses_read"],
    ["#/team", N_("People"), "users_read"],
  ],
  views: {
    licenses: { title: N_("Your licenses"), show: homeShow, needs: "licenses_read",
                withId: { title: N_("License"), show: licenseShow, needs: "licenses_read" } },
    team: { title: N_("People"), show: teamShow, needs: "users_read" },
  },
};
