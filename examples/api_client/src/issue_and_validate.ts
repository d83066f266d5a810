// Issues a license and validates its token online, with a client whose types are generated
// from licensord's OpenAPI document (npm run generate). Every request and answer below is
// type-checked against that document: a renamed field or path fails `tsc`, not a customer.
//
//   LICENSOR_URL             the server (default https://127.0.0.1:8443)
//   LICENSOR_OPERATOR_TOKEN  an operator credential (owner role)
//   NODE_EXTRA_CA_CERTS      the server's certificate, when it is self-signed
//
// Prints what it did as JSON and exits 0 only when the issued token validates and a tampered
// copy of it does not.
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./licensor_api.js";

type ApiError = components["schemas"]["Error"];
type Validation = components["schemas"]["Validation"];

const baseUrl = process.env.LICENSOR_URL ?? "https://127.0.0.1:8443";

// One client per credential; anonymous calls (activation, validation) send none.
function clientFor(token?: string) {
  return createClient<paths>(token === undefined ? { baseUrl } : { baseUrl, headers: { Authorization: `Bearer ${token}` } });
}

// openapi-fetch answers `data` for a documented success and `error` (the Error body) for a
// documented error; either way `response` is the HTTP answer.
type Answer<T> = { data?: T; error?: ApiError; response: Response };

// The answer's data, or a thrown Error naming the step, the status and the server's error code.
async function expectData<T>(step: string, pending: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await pending;
  if (error !== undefined) throw new Error(`${step}: ${response.status} ${error.error.code}: ${error.error.message}`);
  if (data === undefined) throw new Error(`${step}: ${response.status} without a body`);
  return data;
}

async function main(): Promise<void> {
  const operatorToken = process.env.LICENSOR_OPERATOR_TOKEN;
  if (!operatorToken) throw new Error("set LICENSOR_OPERATOR_TOKEN to an operator credential");
  const suffix = randomUUID().slice(0, 8);
  const asOperator = clientFor(operatorToken);

  // The operators: a product with one tier, and a partner allowed to issue, with an API key.
  const product = await expectData("create product", asOperator.POST("/v1/products", {
    body: { id: `example-${suffix}`, name: "Example editor", tiers: ["pro"] },
  }));
  const partner = await expectData("create partner", asOperator.POST("/v1/partners", {
    body: { name: `Example reseller ${suffix}`, level: "bronze", can_issue: true },
  }));
  const key = await expectData("create partner API key", asOperator.POST("/v1/partners/{partner_id}/api-keys", {
    params: { path: { partner_id: partner.id } },
    body: { name: "api client example" },
  }));
  if (key.api_key === undefined) throw new Error("create partner API key: the answer has no api_key");

  // The partner: a customer, then a paid license for three seats. The Idempotency-Key makes a
  // retry of the same request (after a timeout, say) answer the first license, not a second one.
  const asPartner = clientFor(key.api_key);
  const customer = await expectData("create customer", asPartner.POST("/v1/customers", {
    body: { email: `ann.${suffix}@example.com`, name: "Ann Example" },
  }));
  const license = await expectData("issue license", asPartner.POST("/v1/licenses", {
    params: { header: { "Idempotency-Key": `example-${suffix}` } },
    body: { customer_id: customer.id, product: product.id, tier: "pro", kind: "paid", seats: 3, term_days: 365 },
  }));

  // The app: online validation needs no credential.
  const anyone = clientFor();
  const validate = (token: string): Promise<Validation> =>
    expectData("validate", anyone.POST("/v1/validate", { body: { token } }));
  const validation = await validate(license.token);
  // One character of the signed payload changed ("v4.public." is 10 characters long).
  const at = 20;
  const tampered = await validate(license.token.slice(0, at) + (license.token[at] === "A" ? "B" : "A") +
                                  license.token.slice(at + 1));

  console.log(JSON.stringify({
    product: product.id,
    partner: partner.id,
    customer: customer.id,
    license: { id: license.id, status: license.status, seats: license.seats, expires_at: license.expires_at },
    validation: { valid: validation.valid, code: validation.code, license: validation.license },
    tampered: { valid: tampered.valid, code: tampered.code },
  }, null, 2));
  if (!validation.valid) throw new Error(`the issued token does not validate: ${validation.code}`);
  if (tampered.valid) throw new Error("a tampered token validates");
}

main().catch((failure: unknown) => {
  console.error(`api client example: ${failure instanceof Error ? failure.message : String(failure)}`);
  process.exitCode = 1;
});
