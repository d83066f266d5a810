#!/usr/bin/env python3
"""Loads a sample programme into a running licensord through its API, for a first look at the
portal: partners at each level (and one waiting to be enabled), customers, free and paid
licenses, subscriptions with members and ledger entries, a customer with self-service, and
people to sign in as. Only the standard library; every call is the public HTTP API.

usage: demo_data.py URL CERT_PEM   (LICENSOR_OPERATOR_TOKEN in the environment)
Prints who can sign in, with the demo password. Run it once on an empty store.
"""
import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar

# A throwaway password for the demo's people: the demo store is for looking, never for use.
DEMO_PASSWORD = "demo password, not for use"

url, cert = sys.argv[1], sys.argv[2]
context = ssl.create_default_context(cafile=cert)
operator_token = os.environ["LICENSOR_OPERATOR_TOKEN"]


def call(method, path, body=None, token=operator_token, opener=None, headers=None):
    request = urllib.request.Request(url + path, method=method, data=None if body is None else json.dumps(body).encode())
    if token:
        request.add_header("Authorization", "Bearer " + token)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with (opener or urllib.request.build_opener(urllib.request.HTTPSHandler(context=context))).open(request) as answer:
            text = answer.read()
            return json.loads(text) if text else {}
    except urllib.error.HTTPError as error:
        sys.exit(f"demo: {method} {path} answered {error.code}: {error.read().decode(errors='replace')}")


def person(email, name, role, partner_id="", customer_id="", language="en"):
    body = {"email": email, "name": name, "role": role, "language": language}
    if partner_id:
        body["partner_id"] = partner_id
    if customer_id:
        body["customer_id"] = customer_id
    invited = call("POST", "/v1/users", body)
    call("POST", "/v1/invitations/accept", {"token": invited["invitation"]["token"], "password": DEMO_PASSWORD}, token=None)
    return email


def partner_key(partner_id):
    return call("POST", f"/v1/partners/{partner_id}/api-keys", {"name": "demo loader"})["api_key"]


def main():
    call("POST", "/v1/products", {
        "id": "editor", "name": "Editor", "tiers": ["basic", "pro"],
        "prices": {"basic": {"currency": "EUR", "seat_month": 900, "seat_year": 9000},
                   "pro": {"currency": "EUR", "seat_month": 1900, "seat_year": 19000}}})
    call("POST", "/v1/products", {
        "id": "vault", "name": "Vault", "tiers": ["personal", "business"],
        "prices": {"personal": {"currency": "EUR", "seat_month": 400, "seat_year": 4000},
                   "business": {"currency": "EUR", "seat_month": 1200, "seat_year": 12000}}})
    people = [person("operator@vendor.example", "Olivia Operator", "owner")]

    partners = [("bronze", "Rossi Informatica", "rossi-informatica.example", "it", 10),
                ("silver", "Soluciones Levante", "levante.example", "es", 12),
                ("gold", "Northwind Resellers", "northwind.example", "en", 15),
                ("platinum", "Alpine Distribution", "alpine.example", "en", 20),
                ("titanium", "Atlas Global", "atlas.example", "en", 25)]
    first_names = ["Ana", "Bruno", "Carla", "Diego", "Elena", "Fabio", "Giulia", "Hugo", "Irene", "Jorge", "Lucia",
                   "Marco", "Nora", "Oscar", "Paola", "Quim", "Rosa", "Sergio", "Teresa", "Ugo", "Valeria", "Walter",
                   "Ximena", "Yago", "Zoe"]
    for level, name, domain, language, customers in partners:
        partner = call("POST", "/v1/partners", {"name": name, "level": level, "email_domains": [domain], "can_issue": True,
                                                 "discount_percent": 10, "language": language})
        people.append(person(f"admin@{domain}", f"{name} admin", "global_admin", partner["id"], language=language))
        key = partner_key(partner["id"])
        for n in range(customers):
            first = first_names[n % len(first_names)]
            customer = call("POST", "/v1/customers", {
                "email": f"{first.lower()}.{n}@client-{level}.example", "name": f"{first} & Co {n}", "language": language,
            }, token=key)
            if n < 4:  # free licenses, a few short of the cap
                call("POST", "/v1/licenses", {"customer_id": customer["id"], "product": "editor", "kind": "free"}, token=key)
            if n % 3 == 0:
                call("POST", "/v1/licenses", {"customer_id": customer["id"], "product": "vault", "kind": "paid", "tier": "business",
                                              "seats": 5, "term_days": 20 + n}, token=key)
            if n % 4 == 1:
                call("POST", "/v1/licenses", {"customer_id": customer["id"], "product": "editor", "kind": "trial"}, token=key)
            if n % 5 == 2:
                sub = call("POST", "/v1/subscriptions", {"customer_id": customer["id"], "product": "editor", "tier": "pro",
                                                         "term": "annual", "seats": 3}, token=key)
                for member in range(2):
                    call("POST", f"/v1/licenses/{sub['id']}/members", {"email": f"member{member}.{n}@client-{level}.example"},
                         token=key)
                call("POST", f"/v1/licenses/{sub['id']}/seats", {"seats": 5}, token=key)
            if level == "gold" and n == 2:
                # A customer that manages its own subscriptions, with a person to sign in as.
                call("PATCH", f"/v1/customers/{customer['id']}", {"self_service": True}, token=key)
                people.append(person(f"it@client-{level}.example", "Client IT", "customer_admin", partner["id"], customer["id"]))

    # A partner waiting to be enabled: its person asked, through a session as the portal does.
    waiting = call("POST", "/v1/partners", {"name": "Asesoría Martín", "level": "bronze", "email_domains": ["martin.example"],
                                             "can_issue": False, "language": "es"})
    people.append(person("ana@martin.example", "Ana Martín", "global_admin", waiting["id"], language="es"))
    jar = CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar))
    opened = call("POST", "/v1/sessions", {"email": "ana@martin.example", "password": DEMO_PASSWORD}, token=None, opener=browser)
    call("POST", "/v1/enabling-requests", {"message": "Asesoramos a 40 pymes de Valencia y queremos emitir sus licencias."},
         token=None, opener=browser, headers={"X-CSRF-Token": opened["csrf_token"], "Origin": url})

    print(f"demo: loaded. Sign in at {url}/ with the password \"{DEMO_PASSWORD}\" as:")
    for email in people:
        print(f"demo:   {email}")


main()
