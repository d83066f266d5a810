// What the portal's walks share: the server's address, the operator's API calls, and a page in
// Debian's Chromium that records whatever goes wrong in it (a script error, a CSP violation, a
// console error other than a refusal the walk provokes on purpose, a JavaScript dialog).
//
// Environment: LICENSOR_URL, LICENSOR_OPERATOR_TOKEN, NODE_EXTRA_CA_CERTS (the development
// certificate, which names 127.0.0.1), CHROMIUM (the browser's executable), PORTAL_SCREENSHOTS
// (where each screen's screenshot is kept; none when unset).
import { createHash, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createRequire } from "node:module";

export const url = process.env.LICENSOR_URL;
export const password = "a long enough portal password";

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Waits (up to 10 s) until `probe` answers true: what a page's click set off has reached the
 *  server, however busy the machine. */
export async function eventually(probe, message) {
  for (const started = Date.now(); Date.now() - started < 10000;) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(message);
}

/** One HTTPS request with exactly these headers; the body as bytes, as sent (not decompressed). */
export function raw(method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const sent = httpsRequest(url + path, { method, headers }, (answer) => {
      const chunks = [];
      answer.on("data", (chunk) => chunks.push(chunk));
      answer.on("end", () => resolve({ status: answer.statusCode, headers: answer.headers, body: Buffer.concat(chunks) }));
    });
    sent.on("error", reject);
    sent.end(body);
  });
}

/** An API call with `token` (the operator's by default); fails unless it answers 2xx. */
export async function apiCall(method, path, body, token = process.env.LICENSOR_OPERATOR_TOKEN) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body) headers["Content-Type"] = "application/json";
  const answer = await raw(method, path, headers, body && JSON.stringify(body));
  check(answer.status >= 200 && answer.status < 300, `${method} ${path} answered ${answer.status}: ${answer.body}`);
  return JSON.parse(answer.body);
}

export function operator(method, path, body) {
  return apiCall(method, path, body);
}

let made = 0;
/** A fresh suffix for names and emails, so walks never meet each other's records. */
export function unique() {
  return `${process.pid.toString(36)}${(++made).toString(36)}${Date.now().toString(36).slice(-4)}`;
}

/** A partner's person through the API: the invitation accepted with `password`. */
export async function personInvite({ email, name, role, partnerId = "", customerId = "" }) {
  const body = { email, name, role };
  if (partnerId) body.partner_id = partnerId;
  if (customerId) body.customer_id = customerId;
  const invited = await operator("POST", "/v1/users", body);
  await operator("POST", "/v1/invitations/accept", { token: invited.invitation.token, password });
  return invited;
}

/** Chromium trusts exactly the development certificate (by its public key's hash), not any
 *  certificate: no certificate check is turned off. */
function certificatePin() {
  const certificate = new X509Certificate(readFileSync(process.env.NODE_EXTRA_CA_CERTS));
  const spki = certificate.publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("base64");
}

export function browserLaunch(chromium) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: [`--ignore-certificate-errors-spki-list=${certificatePin()}`],
  });
}

/**
 * A page in a fresh browser context of `browser`, `width` pixels wide. `problems` collects what
 * goes wrong in it; `refusals` lists [path, status] the walk provokes on purpose (Chromium logs
 * each as a failed resource; a path ending in "/" covers the paths under it). GET /v1/session
 * answering 401 before anyone signs in is expected.
 */
export async function pageOpen(browser, problems, { width = 1280, refusals = [] } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  // Runs before the page's own script, outside its CSP: reports every violation.
  await context.addInitScript(() => document.addEventListener("securitypolicyviolation",
    (event) => window.cspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`)));
  await context.exposeBinding("cspViolation", (_source, text) => problems.push(`CSP violation: ${text}`));
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  // Each [path, status]: a path ending in "/" stands for every path under it.
  const expected = [["/v1/session", 401], ...refusals];
  const isExpected = (where, status) => expected.some(([path, code]) => code === status &&
    (path.endsWith("/") ? where.startsWith(`${url}${path}`) : where === `${url}${path}`));
  page.on("pageerror", (error) => problems.push(`script error: ${error.message}`));
  // Whatever the API answers the page is never kept by the browser: not after sign-out either.
  page.on("response", (answer) => {
    if (!answer.url().startsWith(`${url}/v1/`)) return;
    const cache = answer.headers()["cache-control"];
    if (cache !== "no-store") problems.push(`${answer.url()} answered with Cache-Control: ${cache}`);
  });
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const where = message.location().url;
    const status = Number(/status of (\d{3})/.exec(message.text())?.[1]);
    if (isExpected(where.split("?")[0], status)) return;
    problems.push(`console error: ${message.text()} (${where})`);
  });
  page.problems = problems;
  page.on("dialog", async (dialog) => {
    problems.push(`a ${dialog.type()} dialog opened: ${dialog.message()}`);
    await dialog.dismiss();
  });
  return page;
}

/** Waits for `text` on the page; on failure says what the page shows instead. */
export async function textSeen(page, text, what) {
  try {
    await page.getByText(text, { exact: true }).first().waitFor();
  } catch {
    throw new Error(`${what}: "${text}" did not show; the page says: ${(await page.locator("main").innerText()).slice(0, 600)}`);
  }
}

/** Waits for the page's title (its h1) to be `text`. */
export function titled(page, text) {
  return page.getByRole("heading", { level: 1, name: text, exact: true }).waitFor();
}

/**
 * Signs out and waits until the server has ended the session: a page loaded while the sign-out
 * is still in flight can find the session open and then refused.
 */
export async function signOut(page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await titled(page, "Sign in");
  await textSeen(page, "You have signed out.", "signing out");
}

/** Signs in through the sign-in page. */
export async function signIn(page, email, secret = password) {
  await page.goto(`${url}/`);
  await titled(page, "Sign in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(secret);
  await page.getByRole("button", { name: "Sign in" }).click();
}

// axe-core, run in the page through the browser's debugging protocol (the page's CSP allows no
// script of ours, and none is needed: the protocol's evaluation is not page script).
const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
let screensSeen = 0;

/**
 * A screen the walk has reached, once its data has come: its screenshot is kept (as
 * NN-name.png in PORTAL_SCREENSHOTS), and axe-core checks it, every serious or critical
 * violation a problem of the walk.
 */
export async function screen(page, name) {
  await page.waitForLoadState("networkidle");
  const dir = process.env.PORTAL_SCREENSHOTS;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: `${dir}/${String(++screensSeen).padStart(3, "0")}-${name}.png`, fullPage: true });
  }
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(axeSource);
  const found = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  for (const violation of found.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
    const where = violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join("; ");
    page.problems.push(`axe on "${name}": ${violation.id} (${violation.impact}): ${violation.help} at ${where}`);
  }
}
