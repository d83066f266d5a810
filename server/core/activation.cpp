#include "core/activation.hpp"

#include "core/audit.hpp"
#include "core/refusal.hpp"
#include "core/subscriptions.hpp"
#include "domain/rules.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/claims.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"

namespace licensor::server {
namespace {

validation answer_for(std::string code, std::optional<license_record> license = std::nullopt) {
  return {std::move(code), std::move(license)};
}

bool fingerprint_differs(const std::optional<std::string>& fingerprint, const license_record& license) {
  return fingerprint && !license.fingerprint.empty() && *fingerprint != license.fingerprint;
}

}  // namespace

activation license_activate(store::write_view& write, const std::string& canonical_key, const std::string& email,
                            const std::optional<std::string>& fingerprint, const signing& with, std::int64_t now) {
  const auto license_id = must(write.license_id_by_activation_key(canonical_key));
  if (!license_id) refuse(errc::activation_failed);
  auto license = found(write.license_get(*license_id), errc::activation_failed);
  if (license.email != email)  // a member of a subscription gets a token bound to its own email
    return member_activate(write, license, email, with, now);
  if (auto allowed = license_token_handout_allowed(license); !allowed) refuse(allowed.error());
  if (fingerprint_differs(fingerprint, license))
    refuse(errc::fingerprint_mismatch, "this license is bound to another machine");
  // A first activation with a fingerprint binds the machine into a freshly signed token; so
  // does one after a key rotation, so the customer moves to the active key, and one that finds
  // a free license's token running out (free tokens are renewed online).
  if ((fingerprint && license.fingerprint.empty()) || license.kid != with.signer->active_kid.value ||
      free_token_renewal_due(license, now)) {
    if (fingerprint) license.fingerprint = *fingerprint;
    license.updated_at = now;
    license_sign(license, with);
    must(write.license_put(license));
    audit_append(write, caller{caller_kind::anonymous, "", "customer:" + email}, "license.activate", license.id, now,
                 {{"fingerprint_bound", fingerprint.has_value()}});
  }
  return {license.id, license.token, license.expires_at, false};
}

validation token_validate(const store::read_view& view, const keys::signer_state& signer, const std::string& token,
                          const std::optional<std::string>& fingerprint, std::int64_t now, std::int64_t leeway_seconds) {
  // Tokens this server issued are found by hash, with no Ed25519 verify on the hot path; any
  // other token is verified against the keyring first.
  store::token_binding bound;
  if (auto indexed = must(view.token_binding_get(hash_hex(token)))) {
    bound = std::move(*indexed);
    if (bound.withdrawn) return answer_for("not_found");
  } else {
    auto parsed = paseto_parse(token);
    if (!parsed) return answer_for("malformed");
    auto footer_kid = untrusted_footer_kid(parsed->untrusted_footer);
    if (!footer_kid) return answer_for("malformed");
    const auto* entry = signer.keyring.find(*footer_kid);
    if (entry == nullptr) return answer_for("unknown_key");
    if (signer.keyring.is_revoked(*footer_kid)) return answer_for("revoked_key");
    auto verified = paseto_check(std::move(*parsed), entry->public_key, license_assertion);
    if (!verified) return answer_for("bad_signature");
    auto claims = claims_parse(verified->payload);
    if (!claims) return answer_for("malformed");
    bound = store::token_binding{claims->sub, footer_kid->value, claims->email, false};
  }
  if (signer.keyring.is_revoked(KeyId{bound.kid})) return answer_for("revoked_key");
  auto license = must(view.license_get(bound.license_id));
  if (!license) return answer_for("not_found");
  // A token answers for its license only while bound to the license's email or a current
  // member's: after a transfer the former owner's token is refused.
  if (bound.email != license->email && !member_exists(view, license->id, bound.email))
    return answer_for("email_mismatch", std::move(license));
  if (fingerprint_differs(fingerprint, *license)) return answer_for("fingerprint_mismatch", std::move(license));
  return answer_for(std::string(license_state_code(*license, now, leeway_seconds)), std::move(license));
}

validation activation_key_validate(const store::read_view& view, const std::string& canonical_key,
                                   const std::optional<std::string>& fingerprint, std::int64_t now,
                                   std::int64_t leeway_seconds) {
  const auto license_id = must(view.license_id_by_activation_key(canonical_key));
  auto license = license_id ? must(view.license_get(*license_id)) : std::nullopt;
  if (!license) return answer_for("not_found");
  if (fingerprint_differs(fingerprint, *license)) return answer_for("fingerprint_mismatch", std::move(license));
  return answer_for(std::string(license_state_code(*license, now, leeway_seconds)), std::move(license));
}

}  // namespace licensor::server
