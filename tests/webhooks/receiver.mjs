// A webhook receiver for the webhook tests: an HTTP server on 127.0.0.1 (a random port) that
// checks every delivery with the Standard Webhooks reference library (the npm package
// `standardwebhooks`, which the test installs next to a copy of this file) and records it.
//
// For each POST /hook it checks that
//  - `new Webhook(secret).verify(body, headers)` passes (signature over id.timestamp.body, and
//    a timestamp within the library's 5-minute tolerance) and webhook-id is the envelope's id;
//  - the same delivery with one byte of the body changed is rejected (a tampered body);
//  - the same delivery with webhook-timestamp moved 10 minutes into the past is rejected as too
//    old (a replay: an attacker cannot re-sign, so only the header moves).
// Each delivery becomes one JSON line in EVENTS_FILE, written before the answer, so anything
// licensord saw acknowledged is on file: webhook_id, the envelope's id, type, seq, subject,
// partner_id, data.id, and the outcome of the three checks. A delivery that fails verification
// is recorded too (verified: false) and answered 400.
//
// The secret is shown once, when the endpoint is created, and the endpoint needs this
// receiver's URL first: so the receiver starts without it, answers 503 to deliveries until the
// test POSTs the secret to /secret, and prints "receiver listening on http://127.0.0.1:PORT"
// once it listens.
//
// ANSWER_DELAY_MS (default 0) holds each answer back after the record is written, as a slow
// receiver would: the crash test uses it so that a kill often lands while deliveries are in
// flight, between the receiver's record and licensord's.
//
// usage: node receiver.mjs EVENTS_FILE [ANSWER_DELAY_MS]
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

const eventsFile = process.argv[2];
const answerDelayMs = Number(process.argv[3] ?? 0);
if (!eventsFile || !(answerDelayMs >= 0)) {
  console.error("usage: node receiver.mjs EVENTS_FILE [ANSWER_DELAY_MS]");
  process.exit(2);
}

const replayShiftSeconds = 10 * 60;
let webhook = null;

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

// Runs `verify` and returns null when it passed, or the error it threw.
function rejection(verify) {
  try {
    verify();
    return null;
  } catch (error) {
    return error;
  }
}

function errorText(error) {
  return error ? `${error.name}: ${error.message}` : null;
}

function check(body, headers) {
  const record = { webhook_id: headers["webhook-id"] ?? null, received_at: Date.now() };
  let envelope;
  try {
    envelope = webhook.verify(body, headers);
  } catch (error) {
    return { ...record, verified: false, error: errorText(error) };
  }
  record.verified = true;
  record.id = envelope.id;
  record.type = envelope.type;
  record.seq = envelope.seq;
  record.subject = envelope.subject;
  record.partner_id = envelope.partner_id;
  record.data_id = envelope.data?.id ?? null;
  record.id_matches = record.webhook_id === envelope.id;

  // One byte changed, in the middle of the body: the signature no longer matches.
  const tampered = Buffer.from(body);
  const at = Math.floor(tampered.length / 2);
  tampered[at] = tampered[at] === 0x30 ? 0x31 : 0x30;
  const tamperError = rejection(() => webhook.verify(tampered, headers));
  record.tamper_rejected = tamperError !== null;
  record.tamper_error = errorText(tamperError);

  // The same delivery replayed 10 minutes later, i.e. with its timestamp 10 minutes old.
  const replayed = { ...headers, "webhook-timestamp": String(Number(headers["webhook-timestamp"]) - replayShiftSeconds) };
  const replayError = rejection(() => webhook.verify(body, replayed));
  record.replay_rejected = replayError !== null;
  record.replay_error = errorText(replayError);
  return record;
}

const server = createServer(async (request, response) => {
  try {
    const body = await readBody(request);
    if (request.method === "POST" && request.url === "/secret") {
      webhook = new Webhook(body.toString("utf8").trim());
      response.writeHead(204).end();
      return;
    }
    if (request.method !== "POST" || request.url !== "/hook") {
      response.writeHead(404).end();
      return;
    }
    if (!webhook) {
      response.writeHead(503).end("no secret yet");
      return;
    }
    const record = check(body, request.headers);
    appendFileSync(eventsFile, `${JSON.stringify(record)}\n`);
    if (answerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, answerDelayMs));
    response.writeHead(record.verified ? 204 : 400).end();
  } catch (error) {
    console.error("receiver:", error);
    response.writeHead(500).end();
  }
});

server.listen(0, "127.0.0.1", () => {
  console.log(`receiver listening on http://127.0.0.1:${server.address().port}`);
});
// Every record is written before its answer, so there is nothing to flush.
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
