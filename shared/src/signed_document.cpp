#include "licensor/signed_document.hpp"

#include <nlohmann/json.hpp>

#include "licensor/paserk.hpp"
#include "licensor/paseto.hpp"

namespace licensor {

std::string signed_document_sign(const SecretKey& key, std::string_view payload,
                                 std::string_view assertion) {
  const nlohmann::json footer = {{"kid", paserk_pid(key.public_key()).value}};
  return paseto_sign(key, payload, footer.dump(), assertion);
}

result<KeyId> untrusted_footer_kid(std::string_view untrusted_footer) {
  const auto footer = nlohmann::json::parse(untrusted_footer, nullptr, /*allow_exceptions=*/false);
  if (!footer.is_object() || footer.size() != 1) return errc::malformed;
  const auto kid = footer.find("kid");
  if (kid == footer.end() || !kid->is_string()) return errc::malformed;
  const auto& text = kid->get_ref<const std::string&>();
  if (!paserk_pid_well_formed(text)) return errc::malformed;
  return KeyId{text};
}

}  // namespace licensor
