// The portal in a real browser (Debian's Chromium, driven by playwright-core) against a real
// licensord. Each walk sets up its own records through the API, then works through its area's
// pages as a person would, and the API confirms what the pages claim:
//  - served.mjs: `/` and its assets, their headers, size and compression; every text of the
//    pages has its Spanish and Italian translation;
//  - partner_walk.mjs: a partner's person (dashboard, customers, issuing, a license's page);
//  - customer_walk.mjs: a customer's administrator (keys, a member, a seat, a cancellation);
//  - operator_walk.mjs: the vendor's console (enabling, partners, products, key rotation and
//    revocation, the audit log, operators);
//  - subscription_walk.mjs: a subscription's life on the test clock (last: it moves the clock).
// In every walk nothing may go wrong in the page (no script error, no CSP violation, no console
// error but the refusals it provokes on purpose). Prints one PASS line, or each failure and
// exits 1.
//
// usage: node portal_test.mjs (environment: support.mjs)
import { chromium } from "playwright-core";
import { customerWalk } from "./customer_walk.mjs";
import { operatorWalk } from "./operator_walk.mjs";
import { partnerWalk } from "./partner_walk.mjs";
import { servedCheck } from "./served.mjs";
import { subscriptionWalk } from "./subscription_walk.mjs";
import { browserLaunch } from "./support.mjs";

const walks = [["partner", partnerWalk], ["customer", customerWalk], ["operator", operatorWalk], ["subscription", subscriptionWalk]];

async function main() {
  const started = Date.now();
  const failures = [];
  const said = [];
  try {
    said.push(await servedCheck());
  } catch (error) {
    failures.push(`served: ${error.message}`);
  }
  const browser = await browserLaunch(chromium);
  try {
    for (const [name, walk] of walks) {
      const problems = [];
      try {
        said.push(`${name}: ${await walk(browser, problems)}`);
      } catch (error) {
        problems.unshift(error.stack ?? error.message);
      }
      failures.push(...problems.map((problem) => `${name}: ${problem}`));
    }
  } finally {
    await browser.close();
  }
  if (failures.length > 0) {
    for (const failure of failures) console.error(`portal: FAILED: ${failure}`);
    process.exit(1);
  }
  console.log(`portal: PASS (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  for (const line of said) console.log(`portal:   ${line}`);
}

main().catch((error) => {
  console.error(`portal: FAILED: ${error.stack}`);
  process.exit(1);
});
