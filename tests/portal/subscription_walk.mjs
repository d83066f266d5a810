// A subscription's life in the partner's pages, on licensord's test clock (POST /v1/test/clock,
// which also runs the renewals due), checked against the API:
//  - bought with 5 seats (monthly), its price shown before it is created;
//  - day 7: reduced to 3, the refund shown before confirming;
//  - day 8: a reduction to 2 is refused in words;
//  - a member added; an upgrade to "pro", its charge shown first; a change scheduled for the
//    renewal (4 seats);
//  - after the renewal (which applies the scheduled change), cancelled within the new term's
//    window: the refund shown first is the one the ledger then holds.
// The session lasts 12 hours of the server's time, so the person signs in again after each move
// of the clock, as they would on another day. Runs last: it moves the server's clock years ahead.
import { check, operator, pageOpen, personInvite, screen, signIn, textSeen, titled, unique, url } from "./support.mjs";

const day = 86_400_000;
const start = Date.parse("2035-03-01T09:00:00Z");

async function clock(at) {
  await operator("POST", "/v1/test/clock", { now: new Date(at).toISOString() });
}

export async function subscriptionWalk(browser, problems) {
  const tag = unique();
  await clock(start);
  const product = `suite-${tag}`;
  await operator("POST", "/v1/products", {
    id: product, name: "Suite", tiers: ["basic", "pro"],
    prices: { basic: { currency: "EUR", seat_month: 1000, seat_year: 10000 }, pro: { currency: "EUR", seat_month: 3000, seat_year: 30000 } },
  });
  const partner = await operator("POST", "/v1/partners", { name: `Subscriptions ${tag}`, level: "gold", can_issue: true });
  const email = `sam@subs-${tag}.example`;
  await personInvite({ email, name: "Sam Seller", role: "global_admin", partnerId: partner.id });
  const customer = await operator("POST", "/v1/customers", { email: `buyer-${tag}@example.com`, name: "Buyer", partner_id: partner.id });

  const page = await pageOpen(browser, problems, { refusals: [["/v1/licenses/", 422]] });
  const main = page.locator("main");
  const dialog = page.locator("dialog[open]");
  await signIn(page, email);
  await titled(page, "Dashboard");

  // Bought: 5 seats, monthly.
  await page.goto(`${url}/#/subscribe?customer=${encodeURIComponent(customer.id)}`);
  await page.getByLabel("Seats").fill("5");
  await textSeen(page, "€50.00 per term before your discount (5 seats at €10.00).", "the price before buying");
  await page.getByRole("button", { name: "Create the subscription" }).click();
  await textSeen(page, "Members", "the subscription's page");
  const id = decodeURIComponent(page.url().split("#/licenses/")[1]);
  await screen(page, "subscription-bought");
  check((await operator("GET", `/v1/licenses/${id}`)).seats === 5, "the subscription was not bought with 5 seats");

  const again = async (at) => {
    await clock(at);
    await signIn(page, email);
    await titled(page, "Dashboard");
    await page.goto(`${url}/#/licenses/${encodeURIComponent(id)}`);
    await textSeen(page, "Members", "the subscription's page");
  };
  const seatsChange = async (seats) => {
    await main.locator("form").filter({ has: page.getByRole("button", { name: "Change seats" }) }).getByLabel("Seats").fill(String(seats));
    await page.getByRole("button", { name: "Change seats" }).click();
  };

  // Day 7: 5 -> 3, the refund shown first.
  await again(start + 7 * day);
  await seatsChange(3);
  await dialog.getByText(/€\d+\.\d\d is refunded\./).waitFor();
  await screen(page, "subscription-day-7-reduce");
  await dialog.getByRole("button", { name: "Change seats" }).click();
  await textSeen(page, "3", "the seats on day 7");
  check((await operator("GET", `/v1/licenses/${id}`)).seats === 3, "day 7: the API does not show 3 seats");

  // Day 8: no more reductions, said in words.
  await again(start + 8 * day);
  await seatsChange(2);
  await main.getByText("Seats can only be taken away within 7 days of being added.").waitFor();
  check((await operator("GET", `/v1/licenses/${id}`)).seats === 3, "day 8: the refused reduction changed the seats");

  // A member, an upgrade, a change at renewal.
  await page.getByLabel("Member's email").fill(`member-${tag}@example.com`);
  await page.getByRole("button", { name: "Add member" }).click();
  await main.getByText(`member-${tag}@example.com`).waitFor();
  const members = await operator("GET", `/v1/licenses/${id}/members`);
  check(members.items.some((m) => m.email === `member-${tag}@example.com`), "the member is not in the API");
  await page.getByText("Upgrade", { exact: true }).click();
  await page.getByLabel("New tier").selectOption("pro");
  await page.getByRole("button", { name: "Upgrade now" }).click();
  await dialog.getByText(/€\d+\.\d\d is charged now\./).waitFor();
  await dialog.getByRole("button", { name: "Upgrade now" }).click();
  await textSeen(page, "pro", "the tier after the upgrade");
  check((await operator("GET", `/v1/licenses/${id}`)).tier === "pro", "the upgrade did not reach the API");
  await page.getByText("Change at renewal", { exact: true }).click();
  await page.getByLabel("Seats at renewal").fill("4");
  await page.getByRole("button", { name: "Schedule" }).click();
  await textSeen(page, "tier pro, 4 seats", "the scheduled change");
  check((await operator("GET", `/v1/licenses/${id}`)).subscription.scheduled_change.seats === 4, "the scheduled change is not in the API");
  await screen(page, "subscription-scheduled");

  // Renewed (the scheduled change applied), then cancelled inside the new term's window.
  const term = await operator("GET", `/v1/licenses/${id}`);
  await again(Date.parse(term.subscription.term_end) + 2 * day);
  const renewed = await operator("GET", `/v1/licenses/${id}`);
  check(renewed.seats === 4 && renewed.status === "active", `the renewal left ${renewed.seats} seats, ${renewed.status}`);
  await page.getByRole("button", { name: "Cancel the subscription" }).click();
  const said = await dialog.getByText(/€\d+\.\d\d is refunded\./).innerText();
  await screen(page, "subscription-cancel-refund");
  await dialog.getByRole("button", { name: "Cancel the subscription" }).click();
  await textSeen(page, "Cancelled", "the subscription after cancelling");
  const ledger = await operator("GET", `/v1/licenses/${id}/ledger`);
  const refund = ledger.items.find((entry) => entry.reason === "cancellation");
  check(refund && said.includes(`€${(-refund.amount / 100).toFixed(2)}`), `the refund shown (${said}) is not the ledger's (${refund?.amount})`);
  await page.context().close();
  return "bought with its price, reduced on day 7 with the refund shown, refused on day 8, a member, an upgrade with its charge, " +
         "a change at renewal, the renewal, a cancellation with the refund shown being the ledger's";
}
