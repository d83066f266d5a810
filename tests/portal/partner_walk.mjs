// A partner's person in the portal (portal/partner*.js), checked against the API:
//  a. a wrong password is refused in words; the right one shows the dashboard, 0 of 5 free
//     licenses used (a bronze partner's cap);
//  b. a customer registered in the page is listed first (newest first; oldest first when asked)
//     with "None" licenses, and a search by its email's start finds it alone (the search kept in
//     the address);
//  c. a customer named like markup is shown as text: no element made, no dialog;
//  d. a free license issued to it in the page shows its activation key and token (the copy button
//     copies the key); the customer's page lists it; the dashboard then says 1 of 5, and its
//     recent activity starts with the issuance (in words), linked to the license;
//  e. a second free license to the same customer is refused next to the form, in words, and
//     nothing is issued; four more customers get their free license in the page, the fifth of a
//     Bronze partner, and a sixth is refused with the cap explained (the dashboard says 5 of 5);
//     a customer in the partner's own domain is refused its free license, in words;
//  e2. a license feature with markup shows as text; a change sent without the CSRF token (as
//     another site's page would) is refused and changes nothing; the portal cannot be framed;
//  f. suspending asks first (cancelling changes nothing), then the page shows it suspended;
//  g. a subscription created in the page (3 seats) shows its price first (one seat's in the singular); a seat increase shows
//     its charge before it is confirmed (and the preview changes nothing), then reaches the API; the ledger page totals the month, and its CSV link answers the
//     same entries;
//  h. an API key created in the Team page is shown once and works;
//  i. a page reloaded keeps the session (its CSRF token comes back: a change still works);
//     signing out shows the sign-in page, and a reload shows no data and holds no session;
//  j. a partner not yet enabled asks to be enabled in the page, and the operator sees the request;
//     a helpdesk agent sees no ledger: not in the navigation, and its address is not found;
//  k. at a phone's width (390 px) the dashboard has no sideways scrolling and its links show; in
//     Spanish the navigation speaks Spanish; a form is sent with the keyboard alone.
// Every screen is checked by axe-core (support.mjs: screen), and every /v1 answer is no-store.
import {
  apiCall, check, operator, pageOpen, personInvite, screen, signIn, signOut, textSeen, titled, unique, url,
} from "./support.mjs";

const markupName = "<img src=x onerror=alert(1)>";

async function setup() {
  const tag = unique();
  const product = `editor-${tag}`;
  await operator("POST", "/v1/products", {
    id: product, name: "Editor", tiers: ["basic", "pro"],
    prices: { basic: { currency: "EUR", seat_month: 1000, seat_year: 10000 }, pro: { currency: "EUR", seat_month: 2000, seat_year: 20000 } },
  });
  const partner = await operator("POST", "/v1/partners",
                                 { name: `Portal partner ${tag}`, level: "bronze", email_domains: [`partner-${tag}.example`], can_issue: true });
  const email = `pat@partner-${tag}.example`;
  await personInvite({ email, name: "Pat Partner", role: "global_admin", partnerId: partner.id });
  return { tag, product, partner, email };
}

export async function partnerWalk(browser, problems) {
  const world = await setup();
  const page = await pageOpen(browser, problems, {
    refusals: [["/v1/sessions", 401], ["/v1/licenses", 422], ["/v1/customers", 403]],
  });
  const main = page.locator("main");
  const { tag, product, email } = world;
  const ann = `ann-${tag}@example.com`;

  // a.
  await signIn(page, email, "not the password at all");
  await textSeen(page, "Wrong email or password, or a wrong code.", "a. a wrong password");
  await page.getByLabel("Password").fill("a long enough portal password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await textSeen(page, "0 of 5", "a. the dashboard's meter");
  check(await page.locator("meter").evaluate((m) => m.value === 0 && m.max === 5), "a. the meter is not at 0 of 5");
  await titled(page, "Dashboard");
  await screen(page, "partner-dashboard");

  // b. and c.
  await page.getByRole("link", { name: "Customers" }).click();
  const register = page.locator("form").filter({ has: page.getByRole("button", { name: "Register" }) });
  for (const [address, name] of [[ann, "Ann Portal"], [`mallory-${tag}@example.com`, markupName]]) {
    await register.getByLabel("Email").fill(address);
    await register.getByLabel("Name").fill(name);
    await register.getByRole("button", { name: "Register" }).click();
    await textSeen(page, `Registered ${address}.`, "b. registering a customer");
    await main.locator("tbody tr", { hasText: address }).waitFor();
  }
  const annRow = main.locator("tbody tr", { hasText: ann });
  check((await annRow.locator("td").nth(3).innerText()) === "None", "b. a new customer does not show 'None' licenses");
  // The newest first; the oldest first when asked (the server sorts, the address keeps it).
  const firstRow = () => main.locator("tbody tr").first().locator("td").first().innerText();
  check(await firstRow() === `mallory-${tag}@example.com`, `b. the newest customer is not listed first: ${await firstRow()}`);
  await page.getByLabel("Order").selectOption("registered");
  await main.locator("tbody tr").first().filter({ hasText: ann }).waitFor();
  check(page.url().endsWith("#/customers?sort=registered"), `b. the address does not keep the order: ${page.url()}`);
  const search = page.getByLabel("Search by the start of the email, name or VAT number");
  await search.fill(`ann-${tag}`);
  await page.waitForFunction(() => document.querySelectorAll("main tbody tr").length === 1, null, { timeout: 10000 });
  check((await main.locator("tbody tr").innerText()).includes(ann), "b. the search did not find the customer");
  check(page.url().endsWith(`#/customers?q=ann-${tag}`), `b. the search is not in the address: ${page.url()}`);
  await screen(page, "partner-customers-search");
  await search.fill("");
  const mallory = main.locator("tbody tr", { hasText: `mallory-${tag}@example.com` });
  await mallory.waitFor();
  check((await mallory.locator("td").nth(1).innerText()) === markupName, "c. the markup name does not show as text");
  check((await page.locator("img").count()) === 0, "c. the name made an img element");
  await mallory.getByRole("link").click();
  await titled(page, markupName);
  check((await page.locator("img").count()) === 0, "c. the customer's page made an img element");

  // d.
  await page.goto(`${url}/#/customers?q=ann-${tag}`);
  await main.locator("tbody").getByRole("link", { name: ann }).click();
  await titled(page, "Ann Portal");
  await textSeen(page, "None yet.", "d. the customer's licenses before issuing");
  await page.getByRole("link", { name: "Issue a license to this customer" }).click();
  await issueFree(page, ann);
  await titled(page, `${product} · basic for ${ann}`);
  const key = await main.locator("[data-copy='activation key']").innerText();
  const token = await main.locator("[data-copy='token']").innerText();
  check(/^([0-9A-Z]{4}-){4}[0-9A-Z*~$=]$/.test(key), `d. the activation key shows as "${key}"`);
  check(token.startsWith("v4.public."), `d. the token shows as "${token.slice(0, 40)}…"`);
  await screen(page, "partner-license");
  await page.getByRole("button", { name: "Copy the activation key" }).click();
  await page.getByRole("button", { name: "Copy the activation key" }).getByText("Copied").waitFor();
  check((await page.evaluate(() => navigator.clipboard.readText())) === key, "d. the copy button did not copy the key");
  const licenseId = decodeURIComponent(page.url().split("#/licenses/")[1]);
  const issued = await operator("GET", `/v1/licenses/${licenseId}`);
  check(issued.kind === "free" && issued.activation_key === key && issued.token === token, "d. the page shows another license than the API");
  await textSeen(page, "Delivery letter", "d. the delivery letter");
  await page.getByRole("link", { name: ann }).click();
  await main.locator("tbody").getByRole("link", { name: `${product} · basic` }).waitFor();
  await page.getByRole("link", { name: "Dashboard" }).click();
  await textSeen(page, "1 of 5", "d. the dashboard after issuing");
  // Its recent activity names the issuance first, linked to the license's page.
  const newest = main.locator("section.part", { hasText: "Recent activity" }).locator("tbody tr").first();
  await newest.getByText("License issued", { exact: true }).waitFor();
  check(await newest.getByRole("link").getAttribute("href") === `#/licenses/${encodeURIComponent(licenseId)}`,
        "d. the dashboard's newest activity is not the license just issued");

  // e.
  await page.goto(`${url}/#/issue?customer=${encodeURIComponent(issued.customer_id)}`);
  await issueFree(page, ann);
  await main.locator("form [role=alert]")
    .getByText("This customer already has a free license for this product: one free license per customer.").waitFor();
  check(page.url().includes("#/issue"), "e. the refused issue left the form");
  const licenses = await operator("GET", `/v1/licenses?partner_id=${world.partner.id}`);
  check(licenses.items.length === 1, `e. ${licenses.items.length} licenses exist after the refusal, not 1`);
  await capWalk(page, world);

  // e2.
  await operator("PATCH", `/v1/licenses/${licenseId}`, { features: ["<b>bold</b>", "<script>alert(1)</script>"] });
  await page.goto(`${url}/#/licenses/${encodeURIComponent(licenseId)}`);
  await textSeen(page, "<b>bold</b>, <script>alert(1)</script>", "e2. a feature with markup");
  check((await main.locator("dd b, dd script").count()) === 0, "e2. a feature's markup made an element");
  const forged = await page.evaluate(async () => (await fetch("/v1/customers", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ email: "forged@example.com" }),
  })).status);
  check(forged === 403, `e2. a change without the CSRF token answered ${forged}`);
  const forgedFound = await operator("GET", `/v1/customers?partner_id=${world.partner.id}&q=forged`);
  check(forgedFound.items.length === 0, "e2. the change without the CSRF token was made");
  await framingCheck(page);

  // f.
  await page.goto(`${url}/#/licenses/${encodeURIComponent(licenseId)}`);
  await textSeen(page, "Active", "f. the license before suspending");
  await page.getByRole("button", { name: "Suspend" }).click();
  const dialog = page.locator("dialog[open]");
  await dialog.getByText("Suspend this license?").waitFor();
  check((await dialog.innerText()).includes("the app stops working"), "f. the confirmation does not say what will happen");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  check((await operator("GET", `/v1/licenses/${licenseId}`)).status === "active", "f. cancelling suspended the license");
  await page.getByRole("button", { name: "Suspend" }).click();
  await dialog.getByRole("button", { name: "Suspend" }).click();
  await textSeen(page, "Suspended", "f. the license after suspending");
  await page.getByRole("button", { name: "Reinstate" }).waitFor();
  check((await operator("GET", `/v1/licenses/${licenseId}`)).status === "suspended", "f. the API does not say suspended");

  // g.
  await page.getByRole("link", { name: "New subscription" }).click();
  const form = main.locator("form");
  await form.getByLabel("Customer", { exact: true }).selectOption({ label: `Ann Portal (${ann})` });
  await form.getByLabel("Tier").selectOption("pro");
  await form.getByLabel("Seats").fill("1");
  await textSeen(page, "€20.00 per term before your discount (1 seat at €20.00).", "g. one seat's price");
  await form.getByLabel("Seats").fill("3");
  await textSeen(page, "€60.00 per term before your discount (3 seats at €20.00).", "g. the subscription's price");
  await form.getByRole("button", { name: "Create the subscription" }).click();
  await textSeen(page, "Subscription", "g. the subscription's part");
  const subscriptionId = decodeURIComponent(page.url().split("#/licenses/")[1]);
  await page.getByLabel("Seats", { exact: true }).last().fill("5");
  await page.getByRole("button", { name: "Change seats" }).click();
  // The price, asked of the server before confirming (a preview that keeps nothing).
  await dialog.getByText(/€\d+\.\d\d is charged now\./).waitFor();
  check((await operator("GET", `/v1/licenses/${subscriptionId}`)).seats === 3, "g. the price's preview changed the seats");
  await dialog.getByRole("button", { name: "Change seats" }).click();
  await textSeen(page, "5", "g. the seats after the change");
  const subscription = await operator("GET", `/v1/licenses/${subscriptionId}`);
  check(subscription.seats === 5 && subscription.subscription.term === "monthly", `g. the API shows ${subscription.seats} seats`);
  await page.getByRole("link", { name: "Ledger" }).click();
  const ledger = await operator("GET", `/v1/ledger?partner_id=${world.partner.id}`);
  const sum = ledger.items.reduce((total, entry) => total + entry.amount, 0);
  check(ledger.items.length === 2 && sum > 0, `g. the ledger holds ${ledger.items.length} entries`);
  await textSeen(page, `Total: €${(sum / 100).toFixed(2)}`, "g. the ledger's total");
  await screen(page, "partner-ledger");
  const csvHref = await main.getByRole("link", { name: "Export as CSV" }).getAttribute("href");
  const csv = await page.context().request.get(`${url}${csvHref}`);
  check(csv.status() === 200 && (await csv.text()).trim().split("\n").length === 3, `g. the ledger's CSV answers ${csv.status()}`);

  // h.
  await page.getByRole("link", { name: "Team" }).click();
  await page.getByLabel("Key name").fill("billing system");
  await page.getByRole("button", { name: "Create a key" }).click();
  await textSeen(page, "Copy the key now: it is shown only once.", "h. the new key");
  const apiKey = await main.locator("[data-copy='API key']").innerText();
  await screen(page, "partner-team");
  const usage = await apiCall("GET", "/v1/usage", undefined, apiKey);
  check(usage.partner_id === world.partner.id, "h. the key shown does not work");

  // i.
  await page.reload();
  await titled(page, "Team");
  await page.getByRole("link", { name: "Customers" }).click();
  await register.getByLabel("Email").fill(`after-reload-${tag}@example.com`);
  await register.getByRole("button", { name: "Register" }).click();
  await textSeen(page, `Registered after-reload-${tag}@example.com.`, "i. a change after a reload");
  await signOut(page);
  await page.reload();
  await titled(page, "Sign in");
  const shown = await page.locator("body").innerText();
  check(!shown.includes(ann) && !shown.includes("Pat Partner"), "i. the reloaded page shows data");
  check(await page.locator("#nav").isHidden(), "i. the pages' links show while signed out");
  const me = await page.context().request.get(`${url}/v1/me`);
  check(me.status() === 401, `i. GET /v1/me answers ${me.status()} after signing out`);
  await page.goBack();
  await titled(page, "Sign in");
  check(!(await page.locator("body").innerText()).includes(ann), "i. going back after signing out shows data");
  await page.context().close();

  await enablingWalk(browser, problems, tag);
  await helpdeskWalk(browser, problems, world);
  await phoneWalk(browser, problems, email);
  return "sign-in, dashboard meter, customers (search, markup as text, licenses held), issuing, the one-free, cap and own-domain refusals, " +
         "markup in features, a forged change refused, no framing, a helpdesk agent without the ledger, " +
         "a license's keys and letter, suspension, a subscription with its price, seats and ledger (CSV), an API key shown once, " +
         "reload and sign-out, an enabling request, phone width, Spanish, keyboard";
}

/** On the issue form (the customer already chosen): a free license of the product's free tier. */
async function issueFree(page, customerEmail) {
  const form = page.locator("main form");
  await form.getByLabel("Kind").selectOption("free");
  check((await form.getByLabel("Tier").inputValue()) === "basic", "the form does not offer the free tier");
  check((await form.getByLabel("Customer", { exact: true }).locator("option:checked").innerText()).includes(customerEmail),
        "the issue form has not chosen the customer it was opened for");
  await form.getByRole("button", { name: "Issue" }).click();
}

// j.
async function enablingWalk(browser, problems, tag) {
  const partner = await operator("POST", "/v1/partners", { name: `New advisor ${tag}`, level: "bronze", can_issue: false });
  const email = `ada@advisor-${tag}.example`;
  await personInvite({ email, name: "Ada Advisor", role: "global_admin", partnerId: partner.id });
  const page = await pageOpen(browser, problems);
  await signIn(page, email);
  await textSeen(page, "Your organisation may not issue licenses yet.", "j. the dashboard of a partner not enabled");
  await page.getByRole("link", { name: "Ask the vendor to enable it" }).click();
  await page.getByLabel("Message to the vendor").fill("We advise 40 small firms in Valencia.");
  await page.getByRole("button", { name: "Ask to be enabled" }).click();
  await textSeen(page, "Your request is waiting for the vendor's answer.", "j. the request sent");
  await screen(page, "partner-enabling");
  const requests = await operator("GET", "/v1/enabling-requests");
  const mine = requests.items.find((item) => item.id === partner.id || item.partner_id === partner.id);
  check(mine, "j. the operator does not see the request");
  await page.context().close();
}

// j. (the ledger is not a helpdesk agent's)
async function helpdeskWalk(browser, problems, world) {
  const email = `desk-${world.tag}@partner-${world.tag}.example`;
  await personInvite({ email, name: "Dana Desk", role: "helpdesk_agent", partnerId: world.partner.id });
  const page = await pageOpen(browser, problems);
  await signIn(page, email);
  await titled(page, "Dashboard");
  await page.getByRole("link", { name: "Customers" }).waitFor();
  check((await page.locator("#nav").getByRole("link", { name: "Ledger" }).count()) === 0, "j. a helpdesk agent's navigation offers the ledger");
  await page.goto(`${url}/#/ledger`);
  await titled(page, "Not found");
  await screen(page, "partner-helpdesk-no-ledger");
  await page.context().close();
}

// e. The cap of a Bronze partner, and its own domain, in the page.
async function capWalk(page, world) {
  const main = page.locator("main");
  const key = (await operator("POST", `/v1/partners/${world.partner.id}/api-keys`, { name: "walk" })).api_key;
  for (let n = 2; n <= 6; n++) {
    const customer = await apiCall("POST", "/v1/customers", { email: `free${n}-${world.tag}@example.com`, name: `Free ${n}` }, key);
    await page.goto(`${url}/#/issue?customer=${encodeURIComponent(customer.id)}`);
    await issueFree(page, customer.email);
    if (n <= 5) {
      await titled(page, `${world.product} · basic for ${customer.email}`);
      continue;
    }
    await main.locator("form [role=alert]").getByText("Your level (Bronze) allows 5 free licenses, and all of them are issued.").waitFor();
    await screen(page, "partner-cap-refused");
  }
  const free = await operator("GET", `/v1/licenses?partner_id=${world.partner.id}&kind=free`);
  check(free.items.length === 5, `e. ${free.items.length} free licenses exist, not the cap's 5`);
  await page.getByRole("link", { name: "Dashboard" }).click();
  await textSeen(page, "5 of 5", "e. the dashboard at the cap");

  // A customer of the partner's own domain, registered in the page.
  await page.getByRole("link", { name: "Customers" }).click();
  const own = `colleague@partner-${world.tag}.example`;
  const register = page.locator("form").filter({ has: page.getByRole("button", { name: "Register" }) });
  await register.getByLabel("Email").fill(own);
  await register.getByRole("button", { name: "Register" }).click();
  await textSeen(page, `Registered ${own}.`, "e. registering a customer of the partner's own domain");
  await register.getByRole("link", { name: "Open its page" }).click();
  await page.getByRole("link", { name: "Issue a license to this customer" }).click();
  await issueFree(page, own);
  await main.locator("form [role=alert]").getByText("Free licenses cannot go to an email in your own organisation's domains.").waitFor();
}

// e2. A page of another origin that frames the portal gets nothing: frame-ancestors 'none'.
async function framingCheck(page) {
  const framer = await page.context().newPage();  // not watched: the refusal to frame is logged, as it should be
  await framer.setContent(`<iframe src="${url}/" title="framed"></iframe>`);
  await framer.waitForTimeout(1000);
  const framed = framer.frames().find((frame) => frame !== framer.mainFrame());
  const shown = framed ? await framed.evaluate(() => document.getElementById("view") !== null).catch(() => false) : false;
  check(!shown, "e2. the portal showed inside another page's frame");
  await framer.close();
}

// k.
async function phoneWalk(browser, problems, email) {
  const page = await pageOpen(browser, problems, { width: 390 });
  await page.goto(`${url}/`);
  await titled(page, "Sign in");
  // The keyboard alone: type, Tab to the next field, Enter sends the form.
  await page.getByLabel("Email").focus();
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  await page.keyboard.type("a long enough portal password");
  await page.keyboard.press("Enter");
  await titled(page, "Dashboard");
  await textSeen(page, "5 of 5", "k. the dashboard at 390 px");
  await screen(page, "partner-dashboard-phone");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(overflow <= 0, `k. the dashboard scrolls sideways by ${overflow} px at 390 px`);
  check(await page.getByRole("link", { name: "Customers" }).isVisible(), "k. the navigation is hidden at 390 px");
  await page.getByLabel("Language").selectOption("es");
  await page.getByRole("link", { name: "Clientes" }).waitFor();
  await titled(page, "Panel");
  await page.getByLabel("Idioma").selectOption("en");
  await page.context().close();
}
