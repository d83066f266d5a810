// The signing keys: the keyring's version, each key with how many licenses it signed, rotating
// to a new key, revoking an old one (its confirmation names the licenses to be re-signed), and
// the re-signing's progress, followed until it is done.
import { api, can } from "{{asset:api.js}}";
import { N_, codeShow, dateShow, t, tn } from "{{asset:i18n.js}}";
import { confirmed, details, el, part, problemLine, problemSay } from "{{asset:ui.js}}";

const progressEvery = 2000;  // ms between looks at a re-signing in progress

function keysGet() {
  return api("GET", "/v1/keys");
}

function statusOf(keys, key) {
  return keys.revoked.includes(key.kid) ? "revoked" : key.status;
}

export async function keysShow(section) {
  const keys = await keysGet();
  const problem = problemLine();
  section.append(details([
    [t("Keyring version"), String(keys.version)],
    [t("Signing with"), el("code", {}, keys.active_kid)],
  ]));
  if (can("keys_manage")) section.append(el("div", { className: "actions" }, rotateButton(keys, problem)), problem);
  await Promise.all([
    part(section, t("Keys"), (into) => into.append(keysTable(keys, problem))),
    part(section, t("Re-signing"), (into) => progressFollow(into, keys)),
  ]);
}

function keysTable(keys, problem) {
  const rows = keys.keys.map((key) => {
    const status = statusOf(keys, key);
    const action = can("keys_manage") && status === "retired" ? revokeButton(key, problem) : "";
    return el("tr", {}, el("td", {}, el("code", {}, key.kid)), el("td", {}, codeShow(status)),
              el("td", {}, String(key.licenses_signed)), el("td", {}, action));
  });
  const note = can("keys_manage") ? el("p", { className: "muted" }, t("Only a retired key can be revoked: rotate first, so that another key signs.")) : "";
  return el("div", {}, el("div", { className: "scroll" }, el("table", {},
    el("thead", {}, el("tr", {}, ...[t("Key"), t("Status"), t("Licenses signed"), ""].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows))), note);
}

function rotateButton(keys, problem) {
  const button = el("button", { type: "button" }, t("Rotate the signing key"));
  button.addEventListener("click", async () => {
    if (!(await confirmed({
      question: t("Rotate the signing key?"), label: t("Rotate"),
      consequence: t("A new key signs every license from now on. Tokens signed before stay valid: the current key is retired, not revoked."),
    }))) return;
    button.disabled = true;
    try {
      // Names the version it rotates from, so that two rotations at once cannot both happen.
      await api("POST", "/v1/keys/rotate", { from_version: keys.version });
      window.dispatchEvent(new Event("render"));
    } catch (error) {
      problemSay(problem, error);
      button.disabled = false;
    }
  });
  return button;
}

function revokeButton(key, problem) {
  const button = el("button", { type: "button", className: "danger", "aria-label": t("Revoke {kid}", { kid: key.kid }) }, t("Revoke"));
  button.addEventListener("click", async () => {
    try {
      // The count as it is now, not as the page was loaded.
      const now = (await keysGet()).keys.find((k) => k.kid === key.kid);
      const count = now?.licenses_signed ?? key.licenses_signed;
      if (!(await confirmed({
        question: t("Revoke the key {kid}?", { kid: key.kid }), label: t("Revoke"), danger: true,
        consequence: tn(count, {
          one: N_("{count} license signed by it is re-signed with the active key, in the background; its app receives the new token at its next check-in. Every token this key signed stops validating at once. This cannot be undone."),
          other: N_("{count} licenses signed by it are re-signed with the active key, in the background; their apps receive the new token at their next check-in. Every token this key signed stops validating at once. This cannot be undone."),
        }),
      }))) return;
      button.disabled = true;
      await api("POST", `/v1/keys/${encodeURIComponent(key.kid)}/revoke`);
      window.dispatchEvent(new Event("render"));
    } catch (error) {
      problemSay(problem, error);
      button.disabled = false;
    }
  });
  return button;
}

/** Shows each re-signing in progress and looks again every few seconds while one goes on and the
 *  page is still shown. */
function progressFollow(into, keys) {
  const tasks = keys.resigning;
  if (tasks.length === 0) {
    into.replaceChildren(el("p", { role: "status" }, t("No re-signing in progress: every license carries a token of a key in force.")));
    return;
  }
  into.replaceChildren(...tasks.map((task) => {
    const total = task.licenses_resigned + task.licenses_remaining;
    return el("div", { className: "usage", role: "status" },
              el("progress", { max: total || 1, value: task.licenses_resigned, "aria-label": t("Re-signing of {kid}", { kid: task.kid }) }),
              el("span", {}, tn(total, { one: N_("{kid}: {done} of {count} license re-signed, since {since}"),
                                       other: N_("{kid}: {done} of {count} licenses re-signed, since {since}") },
                                { kid: task.kid, done: task.licenses_resigned, since: dateShow(task.started_at, true) })));
  }));
  setTimeout(() => {
    if (!into.isConnected) return;
    keysGet().then((fresh) => progressFollow(into, fresh)).catch((error) => {
      const problem = problemLine();
      problemSay(problem, error);
      into.append(problem);
    });
  }, progressEvery);
}
