// An operator (owner) in the vendor's console (portal/operator*.js), checked against the API:
//  a. the home page lists a partner's request to be enabled; approved in the page, the partner
//     may issue;
//  b. a partner registered in the page (silver, its own domain) gets its first person (listed on
//     its page) and a 10 % discount;
//  c. a product added in the page gets its tier's prices (typed in euros, kept in cents);
//  d. the signing key is rotated in the page (the keyring's version goes up, a new kid signs);
//     the old key's revocation asks first, naming the number of licenses the API counts for it,
//     and once confirmed every one of them carries a token of the new key;
//  e. the audit log, filtered by "keys.", shows the revocation, then the rotation (newest first);
//  f. an operator invited in the page is listed; an auditor signs in and sees the keys without
//     a button to rotate or revoke them.
// Runs before the subscription walk (which moves the server's clock).
import { apiCall, check, operator, pageOpen, personInvite, screen, signIn, signOut, textSeen, titled, unique, url } from "./support.mjs";

export async function operatorWalk(browser, problems) {
  const tag = unique();
  const ownerEmail = `olga-${tag}@vendor.example`;
  await personInvite({ email: ownerEmail, name: "Olga Owner", role: "owner" });
  // A partner not yet enabled asks to be, through its API key.
  const waiting = await operator("POST", "/v1/partners", { name: `Waiting ${tag}`, level: "bronze", can_issue: false });
  const waitingKey = (await operator("POST", `/v1/partners/${waiting.id}/api-keys`, {})).api_key;
  await apiCall("POST", "/v1/enabling-requests", { message: "We sell to schools." }, waitingKey);
  // Licenses signed by the key about to be retired.
  const seller = await operator("POST", "/v1/partners", { name: `Seller ${tag}`, level: "gold", can_issue: true });
  await operator("POST", "/v1/products", { id: `app-${tag}`, name: "App", tiers: ["standard"] });
  const issued = [];
  for (let i = 0; i < 3; i++) {
    const customer = await operator("POST", "/v1/customers", { email: `c${i}-${tag}@example.com`, partner_id: seller.id });
    issued.push(await operator("POST", "/v1/licenses", { customer_id: customer.id, product: `app-${tag}`, kind: "paid", tier: "standard", partner_id: seller.id }));
  }

  const page = await pageOpen(browser, problems);
  const main = page.locator("main");
  const dialog = page.locator("dialog[open]");
  await signIn(page, ownerEmail);
  await titled(page, "Console");

  // a.
  await main.getByRole("link", { name: waiting.name }).click();
  await main.getByText(/We sell to schools/).waitFor();
  await screen(page, "operator-enabling-request");
  await page.getByLabel("Reply to the partner").fill("Welcome aboard.");
  await page.getByRole("button", { name: `Approve ${waiting.name}` }).click();
  await main.getByRole("button", { name: `Approve ${waiting.name}` }).waitFor({ state: "detached" });
  check((await operator("GET", `/v1/partners/${waiting.id}`)).can_issue === true, "a. the approved partner may not issue");

  // b.
  await page.getByRole("navigation").getByRole("link", { name: "Partners" }).click();
  await titled(page, "Partners");
  await page.getByText("Register a partner").click();
  const name = `Registered ${tag}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Level").selectOption("silver");
  await page.getByLabel("Own domains").fill(`registered-${tag}.example`);
  await page.getByRole("button", { name: "Register the partner" }).click();
  await titled(page, name);
  // Its first person, invited from its page, is listed there.
  const firstEmail = `first-${tag}@registered-${tag}.example`;
  await page.getByLabel("Email", { exact: true }).fill(firstEmail);
  await page.getByRole("button", { name: "Invite" }).click();
  await main.getByRole("cell", { name: firstEmail, exact: true }).waitFor();
  const registeredId = decodeURIComponent(page.url().split("#/partners/")[1]);
  await page.getByText("Change the partner").click();
  await page.getByLabel("Discount in percent").fill("10");
  await page.getByRole("button", { name: "Save" }).click();
  await textSeen(page, "Saved.", "b. the partner's change");
  await screen(page, "operator-partner");
  const registered = await operator("GET", `/v1/partners/${registeredId}`);
  const people = await operator("GET", `/v1/users?partner_id=${registeredId}`);
  check(people.items.some((person) => person.email === firstEmail && person.role === "global_admin"), "b. the partner's first person is not in the API");
  check(registered.level === "silver" && registered.discount_percent === 10 && registered.email_domains[0] === `registered-${tag}.example`,
        `b. the registered partner is ${JSON.stringify(registered)}`);

  // c.
  await page.getByRole("navigation").getByRole("link", { name: "Products" }).click();
  await titled(page, "Products");
  await page.getByText("Add a product").click();
  await page.getByLabel("Product id").fill(`tool-${tag}`);
  await page.getByLabel("Tiers").fill("basic, pro");
  await page.getByRole("button", { name: "Add the product" }).click();
  await titled(page, `tool-${tag}`);
  await page.getByText("Change the product").click();
  await page.getByLabel("Price a month of pro").fill("12.50");
  await page.getByLabel("Price a year of pro").fill("125");
  await page.getByRole("button", { name: "Save" }).click();
  await textSeen(page, "Saved.", "c. the product's prices");
  await screen(page, "operator-product");
  const price = (await operator("GET", `/v1/products/tool-${tag}`)).prices.pro;
  check(price?.currency === "EUR" && price.seat_month === 1250 && price.seat_year === 12500, `c. the price kept is ${JSON.stringify(price)}`);

  // d.
  const before = await operator("GET", "/v1/keys");
  await page.getByRole("navigation").getByRole("link", { name: "Signing keys" }).click();
  await titled(page, "Signing keys");
  await screen(page, "operator-keys");
  await page.getByRole("button", { name: "Rotate the signing key" }).click();
  await dialog.getByRole("button", { name: "Rotate" }).click();
  await main.getByText(String(before.version + 1), { exact: true }).waitFor();
  const rotated = await operator("GET", "/v1/keys");
  check(rotated.version === before.version + 1 && rotated.active_kid !== before.active_kid, "d. the rotation did not reach the API");
  const oldKid = before.active_kid;
  const count = rotated.keys.find((key) => key.kid === oldKid).licenses_signed;
  check(count >= issued.length, `d. the API counts ${count} licenses for the old key, fewer than the ${issued.length} issued`);
  await page.getByRole("button", { name: `Revoke ${oldKid}` }).click();
  await dialog.getByText(`${count} licenses signed by it are re-signed with the active key`, { exact: false }).waitFor();
  await screen(page, "operator-revoke-confirmation");
  await dialog.getByRole("button", { name: "Revoke" }).click();
  await main.getByText("No re-signing in progress: every license carries a token of a key in force.").waitFor({ timeout: 30000 });
  await screen(page, "operator-keys-revoked");
  const after = await operator("GET", "/v1/keys");
  check(after.revoked.includes(oldKid), "d. the old key is not revoked");
  check(after.keys.find((key) => key.kid === oldKid).licenses_signed === 0, "d. licenses still carry the revoked key's tokens");
  for (const license of issued) {
    const now = await operator("GET", `/v1/licenses/${license.id}`);
    check(now.kid === rotated.active_kid, `d. ${license.id} is signed by ${now.kid}, not the active key`);
  }

  // e.
  await page.getByRole("navigation").getByRole("link", { name: "Audit log" }).click();
  await titled(page, "Audit log");
  await page.getByLabel("Action starts with").fill("keys.");
  await page.getByRole("button", { name: "Filter" }).click();
  await main.getByRole("cell", { name: "keys.revoke" }).last().waitFor();
  await main.getByRole("cell", { name: "keys.rotate" }).last().waitFor();
  const actions = await main.locator("tbody tr td:nth-child(3)").allInnerTexts();
  check(actions.every((action) => action.startsWith("keys.")), `e. the filtered log shows ${actions.join(", ")}`);
  check(actions[0] === "keys.revoke", `e. the log is not newest first: ${actions.join(", ")}`);
  await screen(page, "operator-audit");

  // f.
  await page.getByRole("navigation").getByRole("link", { name: "Operators" }).click();
  await titled(page, "Operators");
  const auditorEmail = `ada-${tag}@vendor.example`;
  await page.getByLabel("Email", { exact: true }).fill(auditorEmail);
  await page.getByLabel("Role").selectOption("auditor");
  await page.getByLabel("Send the invitation by email").uncheck();
  await page.getByRole("button", { name: "Invite" }).click();
  await main.getByRole("cell", { name: auditorEmail, exact: true }).waitFor();
  await screen(page, "operator-team");
  const token = await main.locator("[data-copy]").innerText();
  await operator("POST", "/v1/invitations/accept", { token, password: "a long enough portal password" });
  await signOut(page);
  await signIn(page, auditorEmail);
  await titled(page, "Console");
  await page.getByRole("navigation").getByRole("link", { name: "Signing keys" }).click();
  await main.getByRole("cell", { name: oldKid, exact: true }).waitFor();
  check(await page.getByRole("button", { name: "Rotate the signing key" }).count() === 0, "f. an auditor is offered a rotation");
  check(await main.getByRole("button", { name: /^Revoke/ }).count() === 0, "f. an auditor is offered a revocation");
  return `an owner approved an enabling request, registered a partner and a product with prices, rotated the key and revoked the old one (${count} licenses re-signed), filtered the audit log and invited an auditor, who sees the keys only`;
}
