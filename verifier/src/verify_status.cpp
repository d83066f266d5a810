#include "licensor/verifier.hpp"

namespace licensor {

std::string_view verify_status_name(verify_status status) noexcept {
  switch (status) {
    case verify_status::valid: return "valid";
    case verify_status::valid_in_grace: return "valid_in_grace";
    case verify_status::malformed: return "malformed";
    case verify_status::unknown_key: return "unknown_key";
    case verify_status::revoked_key: return "revoked_key";
    case verify_status::bad_signature: return "bad_signature";
    case verify_status::not_yet_valid: return "not_yet_valid";
    case verify_status::expired: return "expired";
    case verify_status::wrong_product: return "wrong_product";
    case verify_status::email_mismatch: return "email_mismatch";
    case verify_status::version_not_covered: return "version_not_covered";
    case verify_status::fingerprint_mismatch: return "fingerprint_mismatch";
    case verify_status::clock_tampered: return "clock_tampered";
    case verify_status::keyring_bad_signature: return "keyring_bad_signature";
    case verify_status::keyring_rollback: return "keyring_rollback";
  }
  return "unknown";
}

}  // namespace licensor
