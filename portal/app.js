// The portal: one page whose view follows the address's hash (#/customers, #/licenses/ID…), so
// the server only ever serves `/`. Who signs in chooses the area: a partner's people get the
// partner's pages (partner.js), the vendor's operators the console (operator.js), customers'
// people their own area (customer.js). Each area gives its navigation and its views; what a
// person may do in them follows their role's permissions, which the server checks again.
import { ApiError, can, session, sessionResume, signIn, signOut } from "{{asset:api.js}}";
import { customerArea } from "{{asset:customer.js}}";
import { languageChoose, languages, t } from "{{asset:i18n.js}}";
import { operatorArea } from "{{asset:operator.js}}";
import { partnerArea } from "{{asset:partner.js}}";
import { el, field, link, onSubmit, page, problemLine, problemSay } from "{{asset:ui.js}}";

const areas = { partner: partnerArea, operator: operatorArea, customer: customerArea };

function area() {
  return areas[session.me?.kind];
}

// Sign-in ---------------------------------------------------------------------------------------

function signInShow(message) {
  const section = page(t("Sign in"));
  const email = el("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = el("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const code = el("input", { name: "code", autocomplete: "one-time-code", spellcheck: false });
  const codeField = field(t("Authentication code"), code, t("The 6 digits your authenticator app shows, or one of your recovery codes."));
  codeField.hidden = true;
  const problem = problemLine();
  const form = el("form", { className: "narrow" }, field(t("Email"), email), field(t("Password"), password), codeField,
                  el("button", { type: "submit" }, t("Sign in")), problem);
  if (message) section.append(el("p", { className: "notice", role: "status" }, message));
  section.append(form);
  email.focus();
  onSubmit(form, problem, async () => {
    const body = { email: email.value, password: password.value };
    const typed = code.value.trim();
    if (typed) body[/^\d{6}$/.test(typed) ? "totp_code" : "recovery_code"] = typed;
    try {
      await signIn(body);
    } catch (error) {
      if (error.code === "totp_required") {
        codeField.hidden = false;
        code.required = true;
        code.focus();
      }
      if (error.status === 401) throw new ApiError(401, "sign_in", t("Wrong email or password, or a wrong code."));
      throw error;
    }
    signedIn();
  });
}

// A language chosen in this browser wins over the account's, which wins over the browser's.
const languageKey = "licensor.language";

function languageApply() {
  const chosen = languageChoose(localStorage.getItem(languageKey) ?? session.me?.language);
  document.getElementById("language").value = chosen;
  document.getElementById("language-label").textContent = t("Language");
}

function signedIn() {
  languageApply();
  document.getElementById("who").textContent = `${session.me.name || session.me.email}` +
    (session.me.partner && session.me.kind === "partner" ? ` · ${session.me.partner.name}` : "");
  document.getElementById("sign-out").textContent = t("Sign out");
  const nav = document.getElementById("nav");
  const entries = area() && !session.me.totp_enrolment_required ? area().nav.filter(([, , needs]) => !needs || can(needs)) : [];
  nav.replaceChildren(...entries.map(([hash, label]) => link(hash, t(label))));
  nav.hidden = entries.length === 0;
  document.getElementById("account").hidden = false;
  if (!location.hash || location.hash === "#/") location.hash = area()?.home ?? "#/";
  render();
}

function signedOut(message) {
  languageApply();
  document.getElementById("nav").hidden = true;
  document.getElementById("account").hidden = true;
  document.getElementById("who").textContent = "";
  signInShow(message);
}

session.ended = () => signedOut(t("Your session has ended: sign in again."));

document.getElementById("sign-out").addEventListener("click", async () => {
  try {
    await signOut();
  } catch (error) {
    if (error.status === 401) return;  // the session had already ended: api() has signed out
    const problem = problemLine();
    problemSay(problem, error);  // the session may still be open: say so rather than pretend
    document.getElementById("view").firstElementChild?.prepend(problem);
    return;
  }
  signedOut(t("You have signed out."));
});

// Routing ---------------------------------------------------------------------------------------

function notFoundShow() {
  page(t("Not found")).append(el("p", {}, t("This page does not exist."), " ", link(area()?.home ?? "#/", t("Go to the start")), "."));
}

function render() {
  if (!session.me) return signInShow();
  if (session.me.totp_enrolment_required) {
    page(t("Two-factor sign-in required")).append(el("p", {}, t("Your organisation requires an authenticator app at sign-in. Set it up through the HTTP API (POST /v1/me/totp); these pages open once it is on.")));
    return;
  }
  if (!area()) {
    page(t("Nothing here")).append(el("p", {}, t("There are no pages for this account.")));
    return;
  }
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?");
  let parts;
  try {
    parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return notFoundShow();  // a malformed %-escape
  }
  const entry = area().views[parts[0]];
  const chosen = parts.length === 2 ? entry?.withId : parts.length === 1 ? entry : null;
  if (!chosen?.show || (chosen.needs && !can(chosen.needs))) return notFoundShow();
  for (const item of document.querySelectorAll("#nav a")) {
    if (item.getAttribute("href") === `#/${parts[0]}`) item.setAttribute("aria-current", "page");
    else item.removeAttribute("aria-current");
  }
  const section = page(t(chosen.title));
  Promise.resolve().then(() => chosen.show(section, parts[1], new URLSearchParams(search))).catch((error) => {
    const problem = problemLine();
    problemSay(problem, error);
    section.append(problem);
  });
}

/** Finds out who is signed in: the session this browser already holds, if any. */
async function start() {
  const chooser = document.getElementById("language");
  chooser.replaceChildren(...languages.map(([code, name]) => el("option", { value: code, lang: code }, name)));
  chooser.addEventListener("change", () => {
    localStorage.setItem(languageKey, chooser.value);
    if (session.me) signedIn();
    else signedOut();
  });
  languageApply();
  try {
    if (await sessionResume()) return signedIn();
  } catch (error) {
    return signedOut(error.message);
  }
  signedOut();
}

window.addEventListener("hashchange", render);
window.addEventListener("render", render);  // an area's view asks to be shown again after a change
start();
