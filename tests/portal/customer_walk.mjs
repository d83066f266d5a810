// A customer's people in their area (portal/customer.js, on the shared license pages), checked
// against the API:
//  a. a customer administrator (self-service on) sees its subscription in "Your licenses", and on
//     its page the activation key and token the API holds;
//  b. adds a member, who the API then lists;
//  c. asks for a fifth seat: the charge, at the full price (no partner discount), is shown before
//     confirming, and is what the ledger then holds;
//  d. cancels inside the 7-day window, the refund shown first; the subscription is cancelled;
//  e. the administrator of a customer without self-service is told its partner manages its
//     licenses, and is offered no change on a license's page.
// Runs before the subscription walk (which moves the server's clock).
import { check, eventually, operator, pageOpen, personInvite, screen, signIn, signOut, titled, unique, url } from "./support.mjs";

async function setup() {
  const tag = unique();
  const product = `notes-${tag}`;
  await operator("POST", "/v1/products", {
    id: product, name: "Notes", tiers: ["basic"], prices: { basic: { currency: "EUR", seat_month: 1000, seat_year: 10000 } },
  });
  // A discount the customer's own purchases do not get.
  const partner = await operator("POST", "/v1/partners", { name: `Reseller ${tag}`, level: "gold", can_issue: true, discount_percent: 20 });
  const customerOf = async (who, selfService) => {
    const customer = await operator("POST", "/v1/customers", { email: `${who}-${tag}@example.com`, name: who, partner_id: partner.id });
    if (selfService) await operator("PATCH", `/v1/customers/${customer.id}`, { self_service: true });
    const license = await operator("POST", "/v1/subscriptions", {
      customer_id: customer.id, product, tier: "basic", term: "monthly", seats: 4, auto_renew: true, partner_id: partner.id,
    });
    const admin = `admin-${who}-${tag}@example.com`;
    await personInvite({ email: admin, name: `${who} admin`, role: "customer_admin", customerId: customer.id });
    return { customer, license, admin };
  };
  return { tag, own: await customerOf("selfserve", true), managed: await customerOf("managed", false) };
}

export async function customerWalk(browser, problems) {
  const { tag, own, managed } = await setup();
  const page = await pageOpen(browser, problems);
  const main = page.locator("main");
  const dialog = page.locator("dialog[open]");
  const licensePath = `/v1/licenses/${own.license.id}`;

  // a.
  await signIn(page, own.admin);
  await titled(page, "Your licenses");
  await main.getByRole("link", { name: /^Notes|^notes-/ }).first().click();
  await main.getByRole("heading", { name: "Members" }).waitFor();
  const held = await operator("GET", licensePath);
  check(await main.locator('[data-copy="activation key"]').innerText() === held.activation_key, "a. the page's activation key is not the API's");
  check(await main.locator('[data-copy="token"]').innerText() === held.token, "a. the page's token is not the API's");
  await screen(page, "customer-license");

  // b.
  const member = `member-${tag}@example.com`;
  await page.getByLabel("Member's email").fill(member);
  await page.getByRole("button", { name: "Add member" }).click();
  await main.getByRole("cell", { name: member, exact: true }).waitFor();
  const members = await operator("GET", `${licensePath}/members`);
  check(members.items.some((m) => m.email === member), "b. the member added in the page is not in the API");
  await screen(page, "customer-member-added");

  // c.
  const seatsForm = main.locator("form").filter({ has: page.getByRole("button", { name: "Change seats" }) });
  await seatsForm.getByLabel("Seats").fill("5");
  await seatsForm.getByRole("button", { name: "Change seats" }).click();
  const charge = await dialog.getByText(/€[\d.]+ is charged now\./).innerText();
  await screen(page, "customer-seat-price");
  await dialog.getByRole("button", { name: "Change seats" }).click();
  await eventually(async () => (await operator("GET", licensePath)).seats === 5, "c. the API does not hold 5 seats");
  const ledger = await operator("GET", `${licensePath}/ledger`);
  const entry = ledger.items.at(-1);
  check(entry.discount_percent === 0, `c. the customer's purchase got a discount: ${JSON.stringify(entry)}`);
  check(charge.endsWith(`€${(entry.amount / 100).toFixed(2)} is charged now.`), `c. the page said "${charge}", the ledger holds ${entry.amount}`);

  // d.
  await page.getByRole("button", { name: "Cancel the subscription" }).click();
  await dialog.getByText(/€[\d.]+ is refunded\./).waitFor();
  await screen(page, "customer-cancel");
  await dialog.getByRole("button", { name: "Cancel the subscription" }).click();
  await main.getByText("Cancelled", { exact: true }).first().waitFor();
  check((await operator("GET", licensePath)).status === "cancelled", "d. the API does not show the subscription cancelled");

  // e.
  await signOut(page);
  await signIn(page, managed.admin);
  await titled(page, "Your licenses");
  await main.getByText(/manages these licenses for you/).waitFor();
  await page.goto(`${url}/#/licenses/${encodeURIComponent(managed.license.id)}`);
  await main.getByRole("heading", { name: "Members" }).waitFor();
  await screen(page, "customer-managed-license");
  for (const button of ["Add member", "Change seats", "Cancel the subscription", "Upgrade now"])
    check(await main.getByRole("button", { name: button }).count() === 0, `e. a customer without self-service is offered "${button}"`);
  return "a customer administrator saw its keys, added a member, bought a seat at the price shown (no partner discount) and cancelled with the refund shown; without self-service, nothing to change";
}
