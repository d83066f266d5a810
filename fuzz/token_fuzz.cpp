// License tokens, two ways in. Byte 0 picks the mode and the verify context:
//   bit 0 clear: the rest is a token as an app receives it: paseto_parse, the footer kid,
//                paseto_check with the signing key, and license_verifier::verify.
//   bit 0 set:   the rest is a claims payload that the harness signs (bits 1-2 pick the
//                signing, retired, revoked or an unknown key), so every check after the
//                signature is reached; the outcome is then checked against the context.
//   bits 3-7:    which of now / app_version / expected_email / fingerprint / grace are set.
#include "fuzz_common.hpp"
#include "licensor/email.hpp"
#include "licensor/app_version.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"
#include "licensor/verifier.hpp"

namespace {

using namespace licensor;

const license_verifier& fixed_verifier() {
  static const license_verifier verifier = [] {
    license_verifier v({fuzz::root_key().public_key()});
    std::uint64_t highest = 0;
    if (v.load_keyring(fuzz::fixed_keyring_token(), highest) != verify_status::valid) fuzz::fail("fixed keyring");
    return v;
  }();
  return verifier;
}

verify_context context_for(std::uint8_t flags) {
  verify_context ctx;
  ctx.product = std::string(fuzz::product);
  ctx.now = fuzz::issued_at + ((flags & 0x08) ? 40 * 86'400 : 86'400);
  if (flags & 0x10) ctx.app_version = "2.5";
  if (flags & 0x20) ctx.expected_email = "  Ann@Example.COM ";
  if (flags & 0x40) ctx.fingerprint = "machine-1";
  if (flags & 0x80) ctx.grace_seconds = 14 * 86'400;
  return ctx;
}

// What a valid outcome promises about the claims it carries.
void outcome_check(const verify_outcome& outcome, const verify_context& ctx, unix_seconds before,
                   unix_seconds after) {
  const bool ok = outcome.status == verify_status::valid || outcome.status == verify_status::valid_in_grace;
  if (!ok) {
    if (after != before) fuzz::fail("last_trusted_time changed on failure");
    return;
  }
  const auto& c = outcome.claims;
  if (c.product != ctx.product) fuzz::fail("valid for another product");
  if (ctx.now < c.nbf - ctx.leeway_seconds) fuzz::fail("valid before nbf");
  if (c.exp && ctx.now > *c.exp + ctx.leeway_seconds + ctx.grace_seconds) fuzz::fail("valid after exp + grace");
  if (outcome.status == verify_status::valid && c.exp && ctx.now > *c.exp + ctx.leeway_seconds)
    fuzz::fail("valid (not in grace) after exp");
  if (!ctx.expected_email.empty()) {
    // The same mailbox is the same email once both are normalised (a domain in other case,
    // spaces around): that is how the verifier compares them.
    auto expected = email_normalise(ctx.expected_email);
    auto in_token = email_normalise(c.email);
    if (!expected || !in_token || *expected != *in_token) fuzz::fail("valid for another email");
  }
  if (c.fingerprint && *c.fingerprint != ctx.fingerprint) fuzz::fail("valid on another machine");
  if (!ctx.app_version.empty()) {
    if (c.min_version) {
      auto cmp = app_version_compare(ctx.app_version, *c.min_version);
      if (!cmp || *cmp < 0) fuzz::fail("valid below min_version");
    }
    if (c.max_version) {
      auto cmp = app_version_compare(ctx.app_version, *c.max_version);
      if (!cmp || *cmp > 0) fuzz::fail("valid above max_version");
    }
  }
  if (after < before || after < ctx.now) fuzz::fail("last_trusted_time did not advance");
  if (outcome.kid != paserk_pid(fuzz::signing_key().public_key()) &&
      outcome.kid != paserk_pid(fuzz::retired_key().public_key()))
    fuzz::fail("valid with a key that is neither active nor retired");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const auto rest = fuzz::as_text(data + 1, size - 1);
  const auto& verifier = fixed_verifier();
  const auto ctx = context_for(flags);

  std::string token;
  if ((flags & 1) == 0) {
    token = std::string(rest);
    if (auto parsed = paseto_parse(token); parsed) {
      (void)untrusted_footer_kid(parsed->untrusted_footer);
      auto checked = paseto_check(std::move(*parsed), fuzz::signing_key().public_key(), license_assertion);
      if (checked) (void)claims_parse(checked->payload);
    }
  } else {
    static const SecretKey unknown = fuzz::fixed_key(0x56);
    const SecretKey* keys[] = {&fuzz::signing_key(), &fuzz::retired_key(), &fuzz::revoked_key(), &unknown};
    const auto* key = keys[(flags >> 1) & 3];
    token = signed_document_sign(*key, rest, license_assertion);
    if (!paseto_verify(token, key->public_key(), license_assertion)) fuzz::fail("own signature rejected");
    if (paseto_verify(token, key->public_key(), keyring_assertion)) fuzz::fail("license accepted as keyring");
  }

  const unix_seconds before = fuzz::issued_at;
  unix_seconds last_trusted = before;
  const auto outcome = verifier.verify(token, ctx, last_trusted);
  outcome_check(outcome, ctx, before, last_trusted);
  return 0;
}
