// The portal's first load, measured in Debian's Chromium (headless, driven by playwright-core) on
// loopback against licensord with the demo programme (scripts/demo_data.py): for a partner's
// person already signed in, the time from asking for `/` to the dashboard showing its data (the
// free-license meter and both lists filled), and the bytes transferred; cold (an empty cache)
// and warm (the fingerprinted assets cached, as on every later visit). The floor it is set
// against, measured in the same run: fetching the same bytes with no browser (Node's https,
// keep-alive, sequentially). Prints one JSON line for the report, after a readable one.
// usage: node portal_load.mjs REPETITIONS (LICENSOR_URL, NODE_EXTRA_CA_CERTS, CHROMIUM in the environment)
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { chromium } from "playwright-core";

const repetitions = Number(process.argv[2] ?? 9);
const url = process.env.LICENSOR_URL;
const email = "admin@northwind.example";
const password = "demo password, not for use";

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function certificatePin() {
  const certificate = new X509Certificate(readFileSync(process.env.NODE_EXTRA_CA_CERTS));
  return createHash("sha256").update(certificate.publicKey.export({ type: "spki", format: "der" })).digest("base64");
}

/** One load of the dashboard; answers its milliseconds and the bytes that crossed the wire. */
async function dashboardLoad(page) {
  let bytes = 0;
  const paths = [];
  const counted = (response) => response.request().sizes().then((sizes) => {
    bytes += sizes.responseBodySize + sizes.responseHeadersSize;
  }).catch(() => {});
  const pending = [];
  const listener = (response) => {
    paths.push(new URL(response.url()).pathname);
    pending.push(counted(response));
  };
  page.on("response", listener);
  await page.goto("about:blank");  // so that the next is a whole new load, not a move within the page
  const started = performance.now();
  await page.goto(`${url}/#/dashboard`);
  await page.locator("#free-licenses-text").waitFor();
  await page.locator("main table").first().waitFor();
  await page.waitForFunction(() => document.querySelectorAll("main .part").length >= 3 &&
                                   [...document.querySelectorAll("main .part p.muted, main .part table")].length >= 2);
  const took = performance.now() - started;
  await Promise.all(pending);
  page.off("response", listener);
  return { took, bytes, paths };
}

/** The same requests with no browser: the floor of the network and the server. */
async function bareFetch(paths, cookie) {
  const agent = new Agent({ keepAlive: true, ca: readFileSync(process.env.NODE_EXTRA_CA_CERTS) });
  const one = (path) => new Promise((resolve, reject) => {
    request(`${url}${path}`, { agent, headers: { Cookie: cookie, "Accept-Encoding": "gzip" } }, (answer) => {
      answer.on("data", () => {});
      answer.on("end", resolve);
    }).on("error", reject).end();
  });
  const started = performance.now();
  for (const path of paths) await one(path);
  const took = performance.now() - started;
  agent.destroy();
  return took;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true,
                                        args: [`--ignore-certificate-errors-spki-list=${certificatePin()}`] });
const cold = [], warm = [], floors = [];
let coldBytes = 0, warmBytes = 0;
try {
  const signIn = await browser.newContext();
  const first = await signIn.newPage();
  await first.goto(`${url}/`);
  await first.getByLabel("Email").fill(email);
  await first.getByLabel("Password").fill(password);
  await first.getByRole("button", { name: "Sign in" }).click();
  await first.locator("#free-licenses-text").waitFor();
  const state = await signIn.storageState();
  const cookie = state.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  await signIn.close();
  for (let i = 0; i < repetitions; i++) {
    const context = await browser.newContext({ storageState: state });
    const page = await context.newPage();
    const coldLoad = await dashboardLoad(page);
    const warmLoad = await dashboardLoad(page);
    cold.push(coldLoad.took);
    warm.push(warmLoad.took);
    coldBytes = coldLoad.bytes;
    warmBytes = warmLoad.bytes;
    floors.push(await bareFetch(coldLoad.paths, cookie));
    await context.close();
  }
} finally {
  await browser.close();
}
const summary = {
  bench: "portal", repetitions, cold_ms: median(cold), warm_ms: median(warm), floor_ms: median(floors),
  cold_bytes: coldBytes, warm_bytes: warmBytes, target_ms: 1000,
  cold_of_target: median(cold) / 1000, cold_over_floor: median(cold) / median(floors),
};
console.log(`portal: dashboard with its data in ${summary.cold_ms.toFixed(0)} ms cold (${coldBytes} bytes), ` +
            `${summary.warm_ms.toFixed(0)} ms warm (${warmBytes} bytes); the same requests without a browser ` +
            `${summary.floor_ms.toFixed(0)} ms; ${summary.cold_of_target.toFixed(2)} of the 1 s target (medians of ${repetitions})`);
console.log(JSON.stringify(summary));
