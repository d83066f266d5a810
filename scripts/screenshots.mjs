// Screenshots of every screen of the portal (scripts/screenshots): for each person of the demo
// programme, the screens its navigation reaches, and a record's page from the first list that
// links to one; each at 1280 and 390 pixels wide, the whole page.
// usage: node screenshots.mjs OUT_DIR (LICENSOR_URL, NODE_EXTRA_CA_CERTS, CHROMIUM in the environment)
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [outDir] = process.argv.slice(2);
const url = process.env.LICENSOR_URL;
const password = "demo password, not for use";
const people = [
  ["partner", "admin@northwind.example"],
  ["waiting-partner", "ana@martin.example"],
  ["operator", "operator@vendor.example"],
  ["customer", "it@client-gold.example"],
];
const widths = [["desktop", 1280], ["phone", 390]];

function certificatePin() {
  const certificate = new X509Certificate(readFileSync(process.env.NODE_EXTRA_CA_CERTS));
  return createHash("sha256").update(certificate.publicKey.export({ type: "spki", format: "der" })).digest("base64");
}

const slug = (text) => text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "start";

async function settle(page) {
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(150);
}

async function shoot(page, file) {
  await settle(page);
  await page.screenshot({ path: `${outDir}/${file}.png`, fullPage: true });
  console.log(`screenshots: ${file}.png`);
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true,
                                        args: [`--ignore-certificate-errors-spki-list=${certificatePin()}`] });
try {
  for (const [width, pixels] of widths) {
    const signIn = await browser.newPage({ viewport: { width: pixels, height: 900 } });
    await signIn.goto(`${url}/`);
    await shoot(signIn, `sign-in-${width}`);
    await signIn.context().close();
    for (const [who, email] of people) {
      const context = await browser.newContext({ viewport: { width: pixels, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/`);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill(password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.locator("#account:not([hidden])").waitFor();
      const screens = await page.locator("#nav a").evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute("href")]));
      if (screens.length === 0) screens.push(["start", new URL(page.url()).hash]);
      let record = null;
      for (const [label, href] of screens) {
        await page.goto(`${url}/${href}`);
        await shoot(page, `${who}-${slug(label)}-${width}`);
        // The first record a list links to (a customer, a license, a partner...).
        record ??= await page.locator("main tbody a[href^='#/']").first().getAttribute("href", { timeout: 500 }).catch(() => null);
      }
      if (record) {
        await page.goto(`${url}/${record}`);
        await shoot(page, `${who}-record-${width}`);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
