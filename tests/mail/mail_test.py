#!/usr/bin/env python3
"""Mail against a real SMTP server on loopback (Debian's python3-aiosmtpd), with STARTTLS and
AUTH required, as a vendor's relay would: licensord's letters are read back from the server and
checked for their recipients, subjects, languages and both parts.

The walk: mail waits while no SMTP server is configured (health says so) and goes out once one
is; a license issued with its delivery letter; a subscription with two members; the clock past a
renewal reminder and a trial's end; an invitation and a password reset whose codes from the mail
are accepted; an operator's replacement template; a refused mailbox (dead at once, logged); bad
input to the mail API (400s, nothing changed); the mail server down, then back (the letter
retries on the schedule and arrives).

Usage: mail_test.py LICENSORD
"""
import atexit
import base64
import datetime
import email
import email.policy
import functools
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

DAY = 86_400
SMTP_USER = "licensor"
SMTP_PASSWORD = "throwaway-test-password-" + secrets.token_hex(8)
REFUSED = "bounce@refused.example"


def fail(message):
    print(f"mail_test: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


class Mailbox:
    """What the SMTP server accepted: envelope recipient and parsed message, in order."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.sessions_tls = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.sessions_tls.append(session.ssl is not None)
            for to in envelope.rcpt_tos:
                self.messages.append((to, envelope.mail_from, message))
        return "250 Message accepted"

    def count(self):
        with self.lock:
            return len(self.messages)

    def since(self, start):
        with self.lock:
            return list(self.messages[start:])


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() and \
        auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@functools.cache
def store_args():
    """The store licensord runs on, chosen by LICENSOR_TEST_STORE: "postgresql" starts a throwaway
    PostgreSQL (tests/pg_cluster, stopped at exit; one for the test, as the data dir is one) in its own folder under /tmp (the server runs as the
    postgres user, who cannot enter the scratch folder); anything else leaves the LMDB default."""
    if os.environ.get("LICENSOR_TEST_STORE") != "postgresql":
        return []
    cluster = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pg_cluster")
    folder = tempfile.mkdtemp(prefix="licensor-pg-", dir="/tmp")
    conninfo = subprocess.run([cluster, "start", folder], check=True, capture_output=True, text=True).stdout.strip()
    atexit.register(lambda: (subprocess.run([cluster, "stop", folder]), shutil.rmtree(folder, ignore_errors=True)))
    return ["--store", conninfo]


class Licensord:
    def __init__(self, binary, scratch, token, extra):
        self.out = open(os.path.join(scratch, "licensord.out"), "w+")
        self.err = open(os.path.join(scratch, "licensord.err"), "w+")
        env = dict(os.environ, LICENSOR_OPERATOR_TOKEN=token)
        self.process = subprocess.Popen(
            [binary, "--listen", "127.0.0.1:0", "--data-dir", os.path.join(scratch, "data"), "--log-level", "warn",
             "--test-clock"] + store_args() + extra, stdout=self.out, stderr=self.err, env=env)
        self.url = None
        for _ in range(300):
            self.out.seek(0)
            found = re.search(r"licensord listening on (https://[0-9.]+:[0-9]+)", self.out.read())
            if found:
                self.url = found.group(1)
                break
            if self.process.poll() is not None:
                self.err.seek(0)
                fail("licensord exited before listening: " + self.err.read())
            time.sleep(0.1)
        check(self.url, "licensord did not listen within 30 s")
        self.tls = ssl.create_default_context(cafile=os.path.join(scratch, "data", "tls", "cert.pem"))

    def call(self, method, path, body=None, token=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Authorization", "Bearer " + token)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, context=self.tls, timeout=60) as answer:
                return answer.status, json.loads(answer.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)


class Api:
    def __init__(self, server, token):
        self.server, self.token = server, token

    def __call__(self, method, path, body=None, expect=None):
        status, answer = self.server.call(method, path, body, self.token)
        if expect is not None and status != expect:
            fail(f"{method} {path}: expected {expect}, got {status}: {answer}")
        return status, answer


def parts_of(message):
    """The text and HTML parts of a multipart/alternative message, decoded."""
    check(message.get_content_type() == "multipart/alternative", f"not multipart/alternative: {message.get_content_type()}")
    text = html = None
    for part in message.iter_parts():
        if part.get_content_type() == "text/plain":
            text = part.get_content()
        elif part.get_content_type() == "text/html":
            html = part.get_content()
    check(text and html, "a letter lacks its text or its HTML part")
    return text, html


def render_subject(subject_template, values):
    """The subject as licensord renders it: placeholders only (the built-in subjects have no sections)."""
    return re.sub(r"\{\{([a-z_0-9]+)\}\}", lambda m: values[m.group(1)], subject_template)


def main():
    binary = sys.argv[1]
    scratch = tempfile.mkdtemp(prefix="licensor-mail-")
    token = "op-" + secrets.token_hex(24)
    started = time.time()

    def step(text):
        print(f"mail_test: {text} ({time.time() - started:.0f} s so far)", flush=True)

    # The SMTP server: STARTTLS before anything, AUTH after it, as a relay on the internet asks.
    cert, key = os.path.join(scratch, "smtp.crt"), os.path.join(scratch, "smtp.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"], check=True, capture_output=True)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port, tls_context=tls, require_starttls=True,
                            auth_required=True, auth_require_tls=True, authenticator=authenticator)
    controller.start()
    password_file = os.path.join(scratch, "smtp-password")
    with open(os.open(password_file, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(SMTP_PASSWORD + "\n")
    smtp_flags = ["--smtp-url", f"smtp://127.0.0.1:{smtp_port}", "--smtp-user", SMTP_USER,
                  "--smtp-password-file", password_file, "--smtp-ca-file", cert]

    try:
        # 1. No SMTP server configured: the letter waits in the outbox, and health says so.
        server = Licensord(binary, scratch, token, [])
        op = Api(server, token)
        t0 = int(time.time())
        clock = lambda at: op("POST", "/v1/test/clock", {"now": datetime.datetime.fromtimestamp(at, datetime.timezone.utc)
                                                         .strftime("%Y-%m-%dT%H:%M:%SZ")}, expect=200)
        clock(t0)
        op("PATCH", "/v1/mail/settings", {"sender": "licenses@vendor.example", "sender_name": "Vendor Licencias Ñ",
                                          "operator_email": "ops@vendor.example"}, expect=200)
        product = "mailapp-" + secrets.token_hex(3)
        price = {"currency": "EUR", "seat_month": 1000, "seat_year": 12000}
        op("POST", "/v1/products", {"id": product, "name": "Gestión Pro", "tiers": ["basic"],
                                    "prices": {"basic": price}}, expect=201)
        _, partner = op("POST", "/v1/partners", {"name": "Rivenditore SRL", "level": "gold", "can_issue": True,
                                                 "notification_email": "avvisi@rivenditore.example",
                                                 "language": "it"}, expect=201)
        _, key = op("POST", f"/v1/partners/{partner['id']}/api-keys", {"label": "mail test"}, expect=201)
        as_partner = Api(server, key["api_key"])
        _, ana = as_partner("POST", "/v1/customers", {"email": "ana@cliente.example", "name": "Cliente Ana SL",
                                                      "manages_own_notifications": True, "language": "es"}, expect=201)
        _, bruno = as_partner("POST", "/v1/customers", {"email": "bruno@altro.example", "name": "Bruno SpA",
                                                        "language": "it"}, expect=201)
        _, license = as_partner("POST", "/v1/licenses", {"customer_id": ana["id"], "product": product, "kind": "paid",
                                                         "term_days": 365, "send_delivery_letter": True}, expect=201)
        _, health = op("GET", "/v1/health", expect=200)
        check(health["mail"]["state"] == "waiting_for_smtp", f"health without SMTP: {health['mail']}")
        check(health["mail"]["events_behind"] >= 1, f"the letter is not waiting: {health['mail']}")
        server.stop()
        check(mailbox.count() == 0, "mail went out with no SMTP server configured")
        step("without SMTP, mail waited and health said so")

        # 2. Restarted with the SMTP server: the waiting letter goes out.
        server = Licensord(binary, scratch, token, smtp_flags)
        op, as_partner = Api(server, token), Api(server, key["api_key"])
        clock(t0)
        _, health = op("GET", "/v1/health", expect=200)
        check(health["mail"]["state"] == "sending", f"health with SMTP: {health['mail']}")
        templates = {}

        def subject_of(name, language, values):
            if (name, language) not in templates:
                _, view = op("GET", f"/v1/mail/templates/{name}/{language}", expect=200)
                templates[(name, language)] = view["subject"]
            return render_subject(templates[(name, language)], values)

        def letters(start, expected, what):
            deadline = time.time() + 30
            while mailbox.count() - start < expected and time.time() < deadline:
                time.sleep(0.1)
            got = mailbox.since(start)
            check(len(got) == expected, f"{what}: expected {expected} letters, got {[(t, m['Subject']) for t, _, m in got]}")
            return got

        def letter_check(got, to, subject, language, must_contain=()):
            matching = [m for t, _, m in got if t == to]
            check(len(matching) == 1, f"expected one letter to {to}, got {len(matching)}")
            message = matching[0]
            check(message["To"] == f"<{to}>" or to in message["To"], f"To: {message['To']}")
            check(message["Subject"] == subject, f"to {to}: subject {message['Subject']!r}, expected {subject!r}")
            check(message["Content-Language"] == language, f"to {to}: language {message['Content-Language']}")
            check("licenses@vendor.example" in message["From"] and "Vendor Licencias Ñ" in message["From"],
                  f"From: {message['From']}")
            text, html = parts_of(message)
            for needle in must_contain:
                check(needle in text and needle in html, f"to {to}: {needle!r} is missing from a part")
            return text, html

        got = letters(0, 1, "the waiting delivery letter")
        values = {"product": "Gestión Pro"}
        letter_check(got, "ana@cliente.example", subject_of("delivery_letter", "es", values), "es",
                     [license["activation_key"], license["token"]])
        check(all(mailbox.sessions_tls), "a letter went out without STARTTLS")
        step("the delivery letter went out once SMTP was configured (STARTTLS, AUTH)")

        # 3. A subscription with two members: each gets an invitation, in the customer's language.
        before = mailbox.count()
        _, sub = as_partner("POST", "/v1/subscriptions", {"customer_id": ana["id"], "product": product, "tier": "basic",
                                                          "term": "monthly", "seats": 3,
                                                          "send_delivery_letter": False}, expect=201)
        for member in ("marta@cliente.example", "luis@cliente.example"):
            as_partner("POST", f"/v1/licenses/{sub['id']}/members", {"email": member}, expect=201)
        clock(t0 + 60)
        got = letters(before, 2, "member invitations")
        for member in ("marta@cliente.example", "luis@cliente.example"):
            letter_check(got, member, subject_of("member_invitation", "es", values), "es", [sub["activation_key"]])
        step("two members invited by mail")

        # 4. A trial for a customer whose partner gets its mail: the trial's end goes to the partner, in Italian.
        _, trial = as_partner("POST", "/v1/subscriptions", {"customer_id": bruno["id"], "product": product,
                                                            "tier": "basic", "term": "monthly", "trial": True}, expect=201)
        sub_end = int(datetime.datetime.strptime(sub["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
                      .replace(tzinfo=datetime.timezone.utc).timestamp())
        trial_end = int(datetime.datetime.strptime(trial["expires_at"], "%Y-%m-%dT%H:%M:%SZ")
                        .replace(tzinfo=datetime.timezone.utc).timestamp())
        before = mailbox.count()
        at = min(sub_end, trial_end) - 6 * DAY  # both inside their 7-day points
        clock(at)
        got = mailbox.since(before)
        deadline = time.time() + 30
        while time.time() < deadline and not (
                any(t == "ana@cliente.example" and sub_end and
                    m["Subject"] == subject_of("subscription_renewal", "es", dict(values, renews_on=sub["expires_at"][:10]))
                    for t, _, m in got) and
                any(t == "avvisi@rivenditore.example" for t, _, m in got)):
            time.sleep(0.2)
            got = mailbox.since(before)
        renewal = [m for t, _, m in got if t == "ana@cliente.example" and
                   m["Subject"] == subject_of("subscription_renewal", "es", dict(values, renews_on=sub["expires_at"][:10]))]
        check(renewal, f"no renewal reminder to the customer: {[(t, m['Subject']) for t, _, m in got]}")
        text, _ = parts_of(renewal[-1])
        check(sub["expires_at"][:10] in text, "the renewal reminder does not name the renewal date")
        trial_letters = [m for t, _, m in got if t == "avvisi@rivenditore.example" and
                         m["Subject"] == subject_of("trial_ending", "it", dict(values, ends_on=trial["expires_at"][:10]))]
        check(len(trial_letters) == 1, f"trial end: {[(t, m['Subject']) for t, _, m in got]}")
        check(trial_letters[0]["Content-Language"] == "it", "the trial's end is not in the partner's Italian")
        step("renewal reminder (customer, Spanish) and trial end (partner, Italian) arrived")

        # 5. An invitation and a password reset by mail: the codes in the mails work, and only there.
        before = mailbox.count()
        status, invited = op("POST", "/v1/users", {"email": "staff@rivenditore.example", "name": "Giulia", "role": "sales_agent",
                                                   "partner_id": partner["id"], "language": "it", "send_email": True})
        check(status == 201 and "token" not in invited["invitation"], f"invite by mail: {status} {invited}")
        clock(at + 60)
        got = letters(before, 1, "the invitation")
        text, html = parts_of(got[0][2])
        code = re.search(r"\binv_[A-Za-z0-9_-]+", text)
        check(code and code.group(0) in html, "no invitation code in both parts")
        check(got[0][0] == "staff@rivenditore.example" and got[0][2]["Content-Language"] == "it", "invitation recipient")
        op("POST", "/v1/invitations/accept", {"token": code.group(0), "password": "a long enough password 1"}, expect=200)
        before = mailbox.count()
        status, reset = op("POST", f"/v1/users/{invited['id']}/password-reset", {"send_email": True})
        check(status == 201 and "token" not in reset, f"reset by mail: {status} {reset}")
        clock(at + 120)
        got = letters(before, 1, "the password reset")
        text, _ = parts_of(got[0][2])
        code = re.search(r"\brst_[A-Za-z0-9_-]+", text)
        check(code, "no reset code in the mail")
        op("POST", "/v1/password-resets/accept", {"token": code.group(0), "password": "another long password 2"}, expect=200)
        step("invitation and password reset codes from the mails were accepted")

        # 6. An operator's template: bad ones refused, a good one used; the delivery letter on request.
        for bad, why in (({"subject": "Hola {{unknown}}", "text": "x", "html": "<p>x</p>"}, "an unknown value"),
                         ({"subject": "Hola", "text": "{{#product}}open", "html": "<p>x</p>"}, "an unclosed section"),
                         ({"subject": "Hola", "text": "x"}, "a missing part")):
            status, answer = op("PUT", "/v1/mail/templates/delivery_letter/es", bad)
            check(status == 400, f"{why}: {status} {answer}")
        for path in ("/v1/mail/templates/nope/es", "/v1/mail/templates/delivery_letter/fr"):
            status, _ = op("PUT", path, {"subject": "s", "text": "t", "html": "h"})
            check(status == 404, f"PUT {path}: {status}")
        status, _ = op("PATCH", "/v1/mail/settings", {"sender": "not an address"})
        check(status == 400, f"a bad sender: {status}")
        _, settings = op("GET", "/v1/mail/settings", expect=200)
        check(settings["sender"] == "licenses@vendor.example", "a refused change changed the settings")
        op("PUT", "/v1/mail/templates/delivery_letter/es",
           {"subject": "Licencia {{product}} <lista>", "text": "Clave: {{activation_key}}\n{{token}}\n",
            "html": "<p>Clave: <b>{{activation_key}}</b> de {{customer_name}}</p><pre>{{token}}</pre>"}, expect=200)
        status, _ = as_partner("PUT", "/v1/mail/templates/delivery_letter/es", {"subject": "s", "text": "t", "html": "h"})
        check(status == 403, f"a partner replaced a template: {status}")
        before = mailbox.count()
        as_partner("POST", f"/v1/licenses/{license['id']}/delivery/send", {}, expect=202)
        clock(at + 180)
        got = letters(before, 1, "the delivery letter on request")
        _, html = letter_check(got, "ana@cliente.example", "Licencia Gestión Pro <lista>", "es", [license["activation_key"]])
        check("<b>" + license["activation_key"] + "</b>" in html, "the replaced template was not used")
        op("DELETE", "/v1/mail/templates/delivery_letter/es", expect=200)
        step("templates: bad ones refused (400, 404, 403), a replacement used, then restored")

        # 7. A mailbox the server refuses: dead at once, in the log with its reason.
        _, refused = as_partner("POST", "/v1/customers", {"email": REFUSED, "manages_own_notifications": True}, expect=201)
        _, refused_license = as_partner("POST", "/v1/licenses", {"customer_id": refused["id"], "product": product,
                                                                 "kind": "paid", "send_delivery_letter": True}, expect=201)
        clock(at + 240)
        _, log = op("GET", "/v1/mail/deliveries?limit=100", expect=200)
        refused_entries = [e for e in log["items"] if e.get("recipient") == REFUSED]
        check(len(refused_entries) == 1 and refused_entries[0]["outcome"] == "dead" and refused_entries[0]["status"] == 550,
              f"the refused mailbox: {refused_entries}")
        delivered = [e for e in log["items"] if e["outcome"] == "delivered"]
        check(len(delivered) == mailbox.count(), f"log says {len(delivered)} delivered, the server has {mailbox.count()}")
        _, health = op("GET", "/v1/health", expect=200)
        check(health["mail"]["state"] == "sending" and health["mail"]["letters_waiting"] == 0, f"health: {health['mail']}")
        status, _ = as_partner("GET", "/v1/mail/deliveries")
        check(status == 403, f"a partner read the mail log: {status}")
        step(f"a refused mailbox is dead at once; the log matches the server ({mailbox.count()} letters)")

        # 8. The mail server goes away: the letter retries on the webhook schedule, health says
        # failing; back again, the next attempt delivers it.
        controller.stop()
        before = mailbox.count()
        as_partner("POST", f"/v1/licenses/{license['id']}/delivery/send", {}, expect=202)
        clock(at + 300)
        _, log = op("GET", "/v1/mail/deliveries?limit=1", expect=200)
        check(log["items"][0]["outcome"] == "retrying" and log["items"][0]["status"] is None,
              f"with the server down: {log['items'][0]}")
        _, health = op("GET", "/v1/health", expect=200)
        check(health["mail"]["state"] == "failing" and health["mail"]["letters_waiting"] == 1, f"health: {health['mail']}")
        controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port, tls_context=tls, require_starttls=True,
                                auth_required=True, auth_require_tls=True, authenticator=authenticator)
        controller.start()
        clock(at + 303)  # before the first retry (5 s, stretched by at most 20%)
        check(mailbox.count() == before, "a retry came before its time")
        clock(at + 310)
        got = letters(before, 1, "the retried letter")
        letter_check(got, "ana@cliente.example", subject_of("delivery_letter", "es", values), "es", [license["activation_key"]])
        _, log = op("GET", "/v1/mail/deliveries?limit=1", expect=200)
        check(log["items"][0]["outcome"] == "delivered" and log["items"][0]["attempt"] == 2, f"after the retry: {log['items'][0]}")
        _, health = op("GET", "/v1/health", expect=200)
        check(health["mail"]["state"] == "sending" and health["mail"]["letters_waiting"] == 0, f"health: {health['mail']}")
        step("with the mail server down the letter retried, and arrived on its second attempt once it was back")

        # 9. The compliance sweep finds a free license whose customer has no name: its partner is
        # told, in its Italian, with the rule and the deadline.
        before = mailbox.count()
        _, nameless = as_partner("POST", "/v1/customers", {"email": "senza.nome@cliente.example"}, expect=201)
        _, free = as_partner("POST", "/v1/licenses", {"customer_id": nameless["id"], "product": product, "kind": "free",
                                                      "send_delivery_letter": False}, expect=201)
        op("POST", "/v1/compliance/sweep", {}, expect=200)
        _, flagged = as_partner("GET", f"/v1/licenses/{free['id']}", expect=200)
        got = letters(before, 1, "the compliance notice")
        letter_check(got, "avvisi@rivenditore.example", subject_of("compliance_notice", "it", values), "it",
                     ["customer_name_missing", free["id"], flagged["compliance"]["deadline"][:10]])
        step("the compliance sweep's notice reached the partner")
        server.stop()
    finally:
        controller.stop()
    print("mail_test: passed")


if __name__ == "__main__":
    main()
