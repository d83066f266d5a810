// The crash test's client: a stream of changes to licenses, kept going while licensord is killed
// and restarted under it. One worker per customer, each with its own licenses (so a license's
// changes come one after another): it issues licenses (up to 8 each) and otherwise suspends or
// reinstates one of them, at random, several changes per license.
//
// Every change tried is a JSON line in ACKS_FILE: op (issue, suspend, reinstate), license_id
// (null for an issue whose answer was lost), the HTTP status (0: no answer) and ok (a 2xx: the
// change is acknowledged, so it committed). A change without an answer may have committed or
// not; the worker then asks for the license's status before its next change to it. While
// licensord is down, requests fail at once and the worker waits a little before the next.
// SIGTERM stops the stream: workers finish the request under way, then it exits.
//
// usage: node change_stream.mjs ACKS_FILE CUSTOMER_ID...
// Environment: LICENSOR_URL, PARTNER_KEY, NODE_EXTRA_CA_CERTS (the development certificate).
import { appendFileSync } from "node:fs";

const [acksFile, ...customers] = process.argv.slice(2);
const url = process.env.LICENSOR_URL;
const partnerKey = process.env.PARTNER_KEY;
const licensesPerWorker = 8;
const pauseMs = 20;
const downPauseMs = 100;

let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One request: { status, json }, status 0 when no answer came (refused, reset, timed out).
async function call(method, path, body) {
  try {
    const response = await fetch(url + path, {
      method,
      headers: { authorization: `Bearer ${partnerKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      // an answer without JSON: its status says enough
    }
    return { status: response.status, json };
  } catch {
    return { status: 0, json: null };
  }
}

function record(op, licenseId, status) {
  const ok = status >= 200 && status < 300;
  appendFileSync(acksFile, `${JSON.stringify({ op, license_id: licenseId, status, ok })}\n`);
  return ok;
}

async function worker(customerId) {
  const licenses = []; // { id, status: "active" | "suspended" | null (unknown) }
  while (!stopping) {
    let status;
    if (licenses.length < 2 || (licenses.length < licensesPerWorker && Math.random() < 0.2)) {
      const answer = await call("POST", "/v1/licenses", { customer_id: customerId, product: "app", kind: "paid" });
      status = answer.status;
      const id = answer.json?.id ?? null;
      if (record("issue", status >= 200 && status < 300 ? id : null, status)) licenses.push({ id, status: "active" });
    } else {
      const license = licenses[Math.floor(Math.random() * licenses.length)];
      if (license.status === null) {
        const answer = await call("GET", `/v1/licenses/${license.id}`);
        status = answer.status;
        if (status === 200) license.status = answer.json.status;
      } else {
        const op = license.status === "active" ? "suspend" : "reinstate";
        const answer = await call("POST", `/v1/licenses/${license.id}/${op}`);
        status = answer.status;
        license.status = record(op, license.id, status) ? (op === "suspend" ? "suspended" : "active") : null;
      }
    }
    await sleep(status === 0 || status >= 500 ? downPauseMs : pauseMs);
  }
  return licenses.length;
}

const counts = await Promise.all(customers.map(worker));
console.log(`change_stream: stopped with ${counts.reduce((a, b) => a + b, 0)} licenses`);
