#include "core/activation.hpp"

#include "core/audit.hpp"
#include "core/events.hpp"
#include "core/refusal.hpp"
#include "core/subscriptions.hpp"
#include "domain/campaigns.hpp"
#include "domain/rules.hpp"
#include "domain/secret_hash.hpp"
#include "licensor/license_token.hpp"

namespace licensor::server {
namespace {

validation answer_for(std::string code, std::optional<license_record> license = std::nullopt) {
  return {std::move(code), std::move(license)};
}

// The license's own state is the answer; read it before the record moves into the answer.
validation answer_for_state(license_record license, std::int64_t now, std::int64_t leeway_seconds) {
  std::string code(license_state_code(license, now, leeway_seconds));
  return {std::move(code), std::move(license)};
}

bool fingerprint_differs(const std::optional<std::string>& fingerprint, const license_record& license) {
  return fingerprint && !license.fingerprint.empty() && *fingerprint != license.fingerprint;
}

activation license_activate_checked(store::write_view& write, const caller& who, const std::string& canonical_key,
                                    const std::string& email, const std::optional<std::string>& fingerprint,
                                    const signing& with, std::int64_t now) {
  const auto license_id = must(write.license_id_by_activation_key(canonical_key));
  if (!license_id) refuse(errc::activation_failed);
  auto license = found(write.license_get(*license_id), errc::activation_failed);
  if (license.email != email)  // a member of a subscription gets a token bound to its own email
    return member_activate(write, who, license, email, with, now);
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
    audit_append(write, caller_acting_as(who, "customer:" + email), "license.activate", license.id, now,
                 {{"fingerprint_bound", fingerprint.has_value()}});
    license_event_append(write, "activated", license, now);
  }
  return {license.id, license.token, license.expires_at, false};
}

}  // namespace

activation license_activate(store::write_view& write, const caller& who, const std::string& canonical_key, const std::string& email,
                            const std::optional<std::string>& fingerprint, const std::optional<std::string>& app_version,
                            const signing& with, std::int64_t now) {
  auto activated = license_activate_checked(write, who, canonical_key, email, fingerprint, with, now);
  // Only once the key, the email and the machine were accepted: a guess records nothing.
  if (app_version) app_version_note(write, activated.license_id, *app_version, now);
  return activated;
}

bool app_version_note_due(const license_record& license, const std::string& version, std::int64_t now) {
  return license.app_version_seen != version || now - license.app_version_seen_at >= app_version_seen_refresh_seconds;
}

void app_version_note(store::write_view& write, std::string_view license_id, const std::string& version, std::int64_t now) {
  auto license = must(write.license_get(license_id));
  if (!license || !app_version_note_due(*license, version, now)) return;
  license->app_version_seen = version;
  license->app_version_seen_at = now;
  (void)app_version_high_note(*license, version, now);
  must(write.license_put(*license));
}

validation token_validate(const store::read_view& view, const keys::signer_state& signer, const std::string& token,
                          const std::optional<std::string>& fingerprint, std::int64_t now, std::int64_t leeway_seconds) {
  // Tokens this server issued are found by hash, with no Ed25519 verify on the hot path; any
  // other token is verified against the keyring first.
  store::token_binding bound;
  const auto token_hash = hash_hex(token);
  view.read_ahead({.token_hash = token_hash});  // one round trip on PostgreSQL: the binding and its license
  if (auto indexed = must(view.token_binding_get(token_hash))) {
    bound = std::move(*indexed);
    if (bound.withdrawn) return answer_for("not_found");
  } else {
    auto opened = license_token_open(token, license_keys(signer.keyring));
    if (!opened) {
      switch (opened.error()) {
        case errc::revoked_key: return answer_for("revoked_key");
        case errc::unknown_key: return answer_for("unknown_key");
        case errc::bad_signature: return answer_for("bad_signature");
        default: return answer_for("malformed");
      }
    }
    bound = store::token_binding{opened->claims.sub, opened->kid.value, opened->claims.email, false};
  }
  if (signer.keyring.is_revoked(KeyId{bound.kid})) return answer_for("revoked_key");
  auto license = must(view.license_get(bound.license_id));
  if (!license) return answer_for("not_found");
  // A token answers for its license only while bound to the license's email or a current
  // member's: after a transfer the former owner's token is refused.
  if (bound.email != license->email && !member_exists(view, license->id, bound.email))
    return answer_for("email_mismatch", std::move(license));
  if (fingerprint_differs(fingerprint, *license)) return answer_for("fingerprint_mismatch", std::move(license));
  return answer_for_state(std::move(*license), now, leeway_seconds);
}

validation activation_key_validate(const store::read_view& view, const std::string& canonical_key,
                                   const std::optional<std::string>& fingerprint, std::int64_t now,
                                   std::int64_t leeway_seconds) {
  const auto license_id = must(view.license_id_by_activation_key(canonical_key));
  auto license = license_id ? must(view.license_get(*license_id)) : std::nullopt;
  if (!license) return answer_for("not_found");
  if (fingerprint_differs(fingerprint, *license)) return answer_for("fingerprint_mismatch", std::move(license));
  return answer_for_state(std::move(*license), now, leeway_seconds);
}

}  // namespace licensor::server
