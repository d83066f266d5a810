#include "licensor/license_token.hpp"

#include <utility>

#include "licensor/keyring_document.hpp"
#include "licensor/paseto.hpp"
#include "licensor/signed_document.hpp"

namespace licensor {
namespace {

// Every Licensor signer writes the footer as exactly {"kid":"<k4.pid>"}; reading that shape
// needs no JSON parser, which is a measurable share of a verify. Returns "" for any other
// shape (escapes included), which then goes through the strict parser.
std::string_view canonical_footer_kid(std::string_view footer) noexcept {
  constexpr std::string_view open = R"({"kid":")";
  constexpr std::string_view close = R"("})";
  if (footer.size() <= open.size() + close.size() || !footer.starts_with(open) || !footer.ends_with(close))
    return {};
  const auto kid = footer.substr(open.size(), footer.size() - open.size() - close.size());
  return kid.find_first_of("\\\"") == std::string_view::npos ? kid : std::string_view{};
}

}  // namespace

license_keys::license_keys(const keyring_document& keyring) {
  for (const auto& kid : keyring.revoked) revoked_kids_.insert(kid.value);
  for (const auto& entry : keyring.keys) keys_by_kid_.emplace(entry.kid.value, entry.public_key);
}

bool license_keys::revoked(std::string_view kid) const { return revoked_kids_.find(kid) != revoked_kids_.end(); }

const PublicKey* license_keys::find(std::string_view kid) const {
  const auto key = keys_by_kid_.find(kid);
  return key == keys_by_kid_.end() ? nullptr : &key->second;
}

result<opened_license> license_token_open(std::string_view token, const license_keys& keys, KeyId* kid_out) {
  auto parsed = paseto_parse(token);
  if (!parsed) return parsed.error();
  // A kid read the fast way is trusted only as far as it names a key the keyring lists (and so
  // is a well-formed k4.pid); anything else gets the strict parser's verdict.
  KeyId kid{std::string(canonical_footer_kid(parsed->untrusted_footer))};
  if (!keys.revoked(kid.value) && keys.find(kid.value) == nullptr) {
    auto strict = untrusted_footer_kid(parsed->untrusted_footer);
    if (!strict) return strict.error();
    kid = std::move(*strict);
  }
  if (kid_out != nullptr) *kid_out = kid;
  if (keys.revoked(kid.value)) return errc::revoked_key;
  const auto* key = keys.find(kid.value);
  if (key == nullptr) return errc::unknown_key;
  auto verified = paseto_check(std::move(*parsed), *key, license_assertion);
  if (!verified) return verified.error();
  auto claims = claims_parse(verified->payload);
  if (!claims) return claims.error();
  return opened_license{std::move(kid), std::move(*claims)};
}

}  // namespace licensor
