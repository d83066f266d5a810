// Building the portal's pages: elements, forms, listings, dialogs. The page's Content-Security-
// Policy allows no inline script or style, so everything is built with DOM calls; what the API
// returns is only ever set as text, never parsed as HTML.
import { api, query } from "{{asset:api.js}}";
import { codeShow, problemWords, t } from "{{asset:i18n.js}}";

/** el("p", {className: "x"}, "text", node): an element with its properties (or attributes) and
 *  children. Strings become text nodes (Node.append), which keeps a customer's name from ever
 *  being markup. */
export function el(tag, properties = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(properties)) {
    if (name in node) node[name] = value;
    else node.setAttribute(name, value);  // aria-*, data-*
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

export function link(href, text) {
  return el("a", { href }, text);
}

/** "#/customers/ID": a page's address, each part escaped. */
export function address(...parts) {
  return `#/${parts.map(encodeURIComponent).join("/")}`;
}

let fieldsMade = 0;

/** A labelled form field, with an optional hint the control is described by. */
export function field(label, control, hint) {
  control.id ||= `field-${++fieldsMade}`;
  const wrapper = el("div", { className: "field" }, el("label", { htmlFor: control.id }, label), control);
  if (hint) {
    const note = el("small", { id: `${control.id}-hint` }, hint);
    control.setAttribute("aria-describedby", note.id);
    wrapper.append(note);
  }
  return wrapper;
}

/** Fills a <select> with [value, text] entries. */
export function options(select, entries, chosen) {
  select.replaceChildren(...entries.map(([value, text]) => el("option", { value, selected: value === chosen }, text)));
}

/** Where a form or a part of a page says what went wrong; role=alert has it read out at once. */
export function problemLine() {
  return el("p", { className: "problem", role: "alert" });
}

export function problemSay(line, error) {
  line.textContent = problemWords(error);
}

export function details(rows) {
  return el("dl", { className: "details" }, ...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

export function statusBadge(status) {
  return el("span", { className: `badge ${status}` }, codeShow(status));
}

const view = document.getElementById("view");

/** Replaces the page with a fresh section headed `title`, and returns it. A view fills its own
 *  section as answers arrive: once another view has replaced it, late answers land in a detached
 *  section and show nowhere. */
export function page(title) {
  document.title = `${title} · Licensor`;
  const heading = el("h1", { tabIndex: -1 }, title);
  const section = el("section", {}, heading);
  view.replaceChildren(section);
  heading.focus();  // where a screen reader's user expects to be after following a link
  return section;
}

export function retitle(section, title) {
  document.title = `${title} · Licensor`;
  section.querySelector("h1").textContent = title;
}

/** A titled part of a page, filled by `fill`: if that fails, the part says why and the rest of
 *  the page still shows. */
export function part(section, heading, fill) {
  const body = el("div");
  section.append(el("section", { className: "part" }, el("h2", {}, heading), body));
  return Promise.resolve().then(() => fill(body)).catch((error) => {
    const problem = problemLine();
    problemSay(problem, error);
    body.replaceChildren(problem);
  });
}

/** Calls `work` when `form` is submitted, its submit button disabled meanwhile; a refusal is
 *  said in `problem`, next to the form. */
export function onSubmit(form, problem, work) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    problem.textContent = "";
    try {
      await work();
    } catch (error) {
      problemSay(problem, error);
    } finally {
      button.disabled = false;
    }
  });
}

/** Waits `ms` after the last call before calling `act`: a search per pause in typing, not per key. */
export function debounced(act, ms = 300) {
  let timer;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(act, ms);
  };
}

/** A button that copies `value` (what: "activation key", said to screen readers). */
export function copyButton(what, value) {
  const label = t("Copy");
  const button = el("button", { type: "button", className: "quiet", "aria-label": t("Copy the {what}", { what }) }, label);
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
      button.textContent = t("Copied");
    } catch {
      button.textContent = t("Select it and copy");
    }
    setTimeout(() => (button.textContent = label), 2000);
  });
  return button;
}

/** A value people copy into an app or a message, with its copy button. */
export function copyable(what, value) {
  // Focusable: a long token scrolls inside its box, and a keyboard must reach it too.
  return el("div", { className: "secret" }, el("code", { "data-copy": what, tabIndex: 0, "aria-label": what }, value),
            copyButton(what, value));
}

/** A modal dialog asking `question`, saying `consequence`; Escape and "Cancel" answer false. */
export function confirmed({ question, consequence, label, danger = false }) {
  const form = el("form", { method: "dialog" },
                  el("h2", {}, question), el("p", {}, consequence),
                  el("div", { className: "actions" },
                     el("button", { value: "cancel", className: "quiet" }, t("Cancel")),
                     el("button", { value: "confirm", className: danger ? "danger" : "" }, label)));
  const dialog = el("dialog", { "aria-label": question }, form);
  document.body.append(dialog);
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
  });
}

/** A button that asks `confirmation` ({question, consequence, label, danger}) and then does
 *  `act`, after which the page is shown again; a refusal takes the button's place, in words. */
export function confirmedButton(text, confirmation, act, ariaLabel) {
  const button = el("button", { type: "button", className: confirmation.danger ? "danger" : "quiet" }, text);
  if (ariaLabel) button.setAttribute("aria-label", ariaLabel);
  button.addEventListener("click", async () => {
    try {
      if (!(await confirmed(confirmation))) return;
      button.disabled = true;
      await act();
      window.dispatchEvent(new Event("render"));
    } catch (error) {
      const problem = problemLine();
      problemSay(problem, error);
      button.replaceWith(problem);
    }
  });
  return button;
}

export const pageSize = 50;

/**
 * Fills `into` with a table of a listing's items, `pageSize` at a time, with "Show more" while the
 * listing has more. A filtered listing may answer a page with few items, even none, and a cursor
 * (the server looks at a bounded stretch of records per page), so one showing reads up to five
 * pages to fill the table. `columns`: [heading, item => cell].
 */
export async function listing(into, { path, parameters = {}, columns, empty }) {
  const rows = el("tbody");
  const table = el("table", { hidden: true },
                   el("thead", {}, el("tr", {}, ...columns.map(([heading]) => el("th", { scope: "col" }, heading)))), rows);
  const note = el("p", { className: "muted" });
  const more = el("button", { type: "button", className: "quiet", hidden: true }, t("Show more"));
  const problem = problemLine();
  into.replaceChildren(el("div", { className: "scroll" }, table), note, more, problem);
  let after = null;
  async function showMore() {
    more.disabled = true;
    let added = 0;
    for (let read = 0; read < 5 && added < pageSize; read++) {
      const page = await api("GET", query(path, { ...parameters, limit: pageSize, after }));
      for (const item of page.items) {
        rows.append(el("tr", {}, ...columns.map(([, cell]) => el("td", {}, cell(item)))));
        added++;
      }
      after = page.next;
      if (!after) break;
    }
    table.hidden = rows.rows.length === 0;
    note.textContent = rows.rows.length > 0 ? "" : after ? t("None found yet.") : empty;
    more.hidden = !after;
    more.disabled = false;
  }
  more.addEventListener("click", () => showMore().catch((error) => problemSay(problem, error)));
  await showMore();
}
