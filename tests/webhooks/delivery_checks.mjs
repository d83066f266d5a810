// The webhook tests' verdicts: what the receiver recorded (receiver.mjs) against licensord's own
// event feed (GET /v1/events), and, for the crash test, against the changes the client saw
// acknowledged (change_stream.mjs). Prints a summary line and exits 1 with every failure listed.
//
// usage: node delivery_checks.mjs standard CURSOR DELIVERIES_FILE WAIT_SECONDS
//        node delivery_checks.mjs crash CURSOR DELIVERIES_FILE ACKS_FILE WAIT_SECONDS KILLS
// CURSOR is the feed's last seq when the endpoint was created: it hears the events after it.
// Environment: LICENSOR_URL, LICENSOR_OPERATOR_TOKEN, PARTNER_KEY (crash) and
// NODE_EXTRA_CA_CERTS (the development certificate).
import { existsSync, readFileSync } from "node:fs";

const [mode, cursorArg, deliveriesFile, ...rest] = process.argv.slice(2);
const url = process.env.LICENSOR_URL;
const operatorToken = process.env.LICENSOR_OPERATOR_TOKEN;
const name = mode === "crash" ? "crash_delivery" : "standard_webhooks";

const failures = [];
function failure(message) {
  failures.push(message);
}
// At most a few examples of one kind of failure, then a count.
function failEach(kind, items, describe) {
  for (const item of items.slice(0, 5)) failure(`${kind}: ${describe(item)}`);
  if (items.length > 5) failure(`${kind}: and ${items.length - 5} more`);
}

async function api(method, path, token = operatorToken) {
  const response = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

// Every event of the feed after `cursor`, oldest first.
async function feedAfter(cursor) {
  const events = [];
  for (let after = cursor; ; ) {
    const page = await api("GET", `/v1/events?after=${after}&limit=500`);
    if (page.status !== 200) throw new Error(`GET /v1/events answered ${page.status}`);
    events.push(...page.json.items);
    if (page.json.last_seq === after) return events;
    after = page.json.last_seq;
  }
}

function jsonLines(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls until every event of the feed after `cursor` has arrived verified, or `seconds` passed.
// Returns the feed, the deliveries and how long it took.
async function waitForFeed(cursor, seconds) {
  const started = Date.now();
  for (;;) {
    const feed = await feedAfter(cursor);
    const deliveries = jsonLines(deliveriesFile);
    const arrived = new Set(deliveries.filter((d) => d.verified).map((d) => d.id));
    const missing = feed.filter((event) => !arrived.has(event.id));
    const waited = (Date.now() - started) / 1000;
    if (missing.length === 0 || waited >= seconds) return { feed, deliveries, missing, waited };
    await sleep(250);
  }
}

// The checks on every delivery: it verified, webhook-id is the envelope's id, a tampered body
// and a replayed timestamp were both rejected, and it is the feed's event (same type, seq,
// subject: nothing arrived that did not commit).
function checkDeliveries(deliveries, feed) {
  const byId = new Map(feed.map((event) => [event.id, event]));
  failEach("delivery failed verification", deliveries.filter((d) => !d.verified),
    (d) => `webhook-id ${d.webhook_id}: ${d.error}`);
  const verified = deliveries.filter((d) => d.verified);
  failEach("webhook-id is not the envelope's id", verified.filter((d) => !d.id_matches),
    (d) => `webhook-id ${d.webhook_id}, envelope id ${d.id}`);
  failEach("a tampered body verified", verified.filter((d) => !d.tamper_rejected), (d) => `${d.id} (${d.type})`);
  failEach("a replay 10 minutes late verified", verified.filter((d) => !d.replay_rejected), (d) => `${d.id} (${d.type})`);
  failEach("a replay was rejected, but not for its age", verified.filter((d) => d.replay_rejected && !/too old/.test(d.replay_error)),
    (d) => `${d.id}: ${d.replay_error}`);
  failEach("delivered an event that is not in the feed", verified.filter((d) => !byId.has(d.id)),
    (d) => `${d.id} ${d.type} seq ${d.seq} ${d.subject}`);
  failEach("delivered an event unlike the feed's", verified.filter((d) => {
    const event = byId.get(d.id);
    return event && (event.type !== d.type || event.seq !== d.seq || event.subject !== d.subject);
  }), (d) => `${d.id}: delivered ${d.type} seq ${d.seq} ${d.subject}, feed ${JSON.stringify(byId.get(d.id))}`);
  return verified;
}

// First arrivals (duplicates dropped by webhook-id), in arrival order.
function firstArrivals(verified) {
  const seen = new Set();
  return verified.filter((d) => !seen.has(d.id) && seen.add(d.id));
}

// Per subject, the first arrivals' seqs must strictly increase.
function checkSubjectOrder(first) {
  const lastSeq = new Map();
  const disorder = [];
  for (const d of first) {
    const before = lastSeq.get(d.subject);
    if (before !== undefined && d.seq <= before) disorder.push({ d, before });
    lastSeq.set(d.subject, Math.max(d.seq, before ?? 0));
  }
  failEach("out of order within a subject", disorder,
    ({ d, before }) => `${d.subject}: seq ${d.seq} (${d.type}) arrived after seq ${before}`);
  return lastSeq.size;
}

// `summary` states what was seen; `claims`, what passing means.
function finish(summary, claims) {
  if (failures.length > 0) {
    for (const message of failures) console.error(`${name}: FAILED: ${message}`);
    console.error(`${name}: ${summary}`);
    process.exit(1);
  }
  console.log(`${name}: PASSED: ${summary}; ${claims}`);
}

// What both tests check first: every event of the feed after the cursor arrived, verified, and
// the first arrivals of each subject in seq order.
async function arrivals(waitSeconds) {
  const cursor = Number(cursorArg);
  const { feed, deliveries, missing, waited } = await waitForFeed(cursor, Number(waitSeconds));
  failEach("in the feed but never arrived verified", missing, (e) => `${e.id} ${e.type} seq ${e.seq} ${e.subject}`);
  const verified = checkDeliveries(deliveries, feed);
  const first = firstArrivals(verified);
  const subjects = checkSubjectOrder(first);
  return { feed, deliveries, waited, verified, first, subjects };
}

async function standard() {
  const [waitSeconds] = rest;
  const { feed, deliveries, waited, verified, first, subjects } = await arrivals(waitSeconds);
  const types = new Set(first.map((d) => d.type));
  const expected = ["license.issued", "license.activated", "license.suspended", "license.reinstated",
    "license.transferred", "license.unlinked", "license.revoked", "license.deleted", "webhook.test"];
  const absent = expected.filter((type) => !types.has(type));
  if (absent.length > 0) failure(`never arrived: ${absent.join(", ")}`);
  finish(`${feed.length} events in the feed, ${first.length} arrived verified over ${subjects} subjects ` +
    `within ${waited.toFixed(1)} s (${verified.length - first.length} duplicates, ` +
    `${deliveries.length - verified.length} failed verification); types: ${[...types].sort().join(" ")}`,
    "each verified with standardwebhooks, and each rejected once tampered and once replayed");
}

async function crash() {
  const [acksFile, waitSeconds, kills] = rest;
  const { feed, deliveries, waited, verified, first, subjects } = await arrivals(waitSeconds);

  // Every acknowledged change has its event delivered: per license and type, at least as many
  // distinct events arrived as changes were acknowledged. (A change whose answer was lost may
  // have committed too: its event is welcome but not required.)
  const typeOf = { issue: "license.issued", suspend: "license.suspended", reinstate: "license.reinstated" };
  const acks = jsonLines(acksFile);
  const acknowledged = acks.filter((a) => a.ok);
  const wanted = new Map();
  for (const a of acknowledged) {
    const key = `${a.license_id} ${typeOf[a.op]}`;
    wanted.set(key, (wanted.get(key) ?? 0) + 1);
  }
  const got = new Map();
  for (const d of first) {
    const key = `${d.data_id} ${d.type}`;
    got.set(key, (got.get(key) ?? 0) + 1);
  }
  const short = [...wanted].filter(([key, count]) => (got.get(key) ?? 0) < count);
  failEach("acknowledged but not delivered", short,
    ([key, count]) => `${key}: ${count} acknowledged, ${got.get(key) ?? 0} delivered`);

  // Every license a delivered license.issued names exists (this stream deletes none).
  const issued = [...new Set(first.filter((d) => d.type === "license.issued").map((d) => d.data_id))];
  const absentLicenses = [];
  for (const id of issued) {
    const answer = await api("GET", `/v1/licenses/${id}`, process.env.PARTNER_KEY);
    if (answer.status !== 200) absentLicenses.push({ id, status: answer.status });
  }
  failEach("license.issued delivered for a license licensord does not have", absentLicenses,
    ({ id, status }) => `GET /v1/licenses/${id} answered ${status}`);

  // Not a requirement of delivery, but the outbox promises it: seqs without gaps.
  const gaps = feed.filter((event, i) => i > 0 && event.seq !== feed[i - 1].seq + 1).length;
  const count = (op) => acknowledged.filter((a) => a.op === op).length;
  const others = new Map();
  for (const a of acks.filter((a) => !a.ok)) others.set(a.status, (others.get(a.status) ?? 0) + 1);
  const otherText = [...others].sort(([x], [y]) => x - y).map(([status, n]) => `${n} × ${status || "no answer"}`).join(", ");
  finish(`${acknowledged.length} changes acknowledged (${count("issue")} issued, ${count("suspend")} suspended, ` +
    `${count("reinstate")} reinstated), ${acks.length - acknowledged.length} refused or unanswered (${otherText || "none"}); ` +
    `${kills} kills; ${feed.length} events in the feed over ${subjects} subjects, ${first.length} delivered ` +
    `within ${waited.toFixed(1)} s of the client's stop, ${verified.length - first.length} duplicate deliveries, ` +
    `${deliveries.length - verified.length} failed verification; ${gaps} gaps in the feed's seqs`,
    "every acknowledged change delivered, every delivery committed and verified, every subject in order");
}

try {
  if (mode === "standard") await standard();
  else if (mode === "crash") await crash();
  else throw new Error(`unknown mode '${mode}'`);
} catch (error) {
  console.error(`${name}: FAILED: ${error.stack ?? error}`);
  process.exit(1);
}
