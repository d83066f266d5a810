#include "cli_output.hpp"

#include <array>

namespace licensor::cli {
namespace {

struct exit_mapping {
  int exit_code;
  std::string_view code;
};

// One failure class per exit status, so scripts can branch without parsing stderr. The codes
// a token check returns share their numbers with the errc of the same name.
constexpr std::array exit_mappings = {
    exit_mapping{0, "valid"},
    exit_mapping{0, "valid_in_grace"},
    exit_mapping{2, "bad_request"},
    exit_mapping{3, "wrong_password"},
    exit_mapping{4, "io_error"},
    exit_mapping{4, "payload_too_large"},
    exit_mapping{5, "already_exists"},
    exit_mapping{6, "no_active_key"},
    exit_mapping{7, "not_found"},
    exit_mapping{8, "invalid_email"},
    exit_mapping{10, "malformed"},
    exit_mapping{10, "wrong_version"},
    exit_mapping{11, "unknown_key"},
    exit_mapping{12, "revoked_key"},
    exit_mapping{13, "bad_signature"},
    exit_mapping{14, "not_yet_valid"},
    exit_mapping{15, "expired"},
    exit_mapping{16, "wrong_product"},
    exit_mapping{17, "email_mismatch"},
    exit_mapping{18, "version_not_covered"},
    exit_mapping{19, "fingerprint_mismatch"},
    exit_mapping{20, "clock_tampered"},
    exit_mapping{21, "keyring_bad_signature"},
    exit_mapping{22, "keyring_rollback"},
};
constexpr int other_failure = 1;

}  // namespace

int exit_code_for(std::string_view code) noexcept {
  for (const auto& mapping : exit_mappings)
    if (mapping.code == code) return mapping.exit_code;
  return other_failure;
}

std::string exit_code_table() {
  std::string table = "exit status:\n  0   success (for verify: valid, valid_in_grace)\n"
                      "  1   any other error (e.g. internal)";
  int previous = 0;
  for (const auto& mapping : exit_mappings) {
    if (mapping.exit_code == 0) continue;
    if (mapping.exit_code == previous) {  // codes sharing a status go on one line
      table += ", " + std::string(mapping.code);
      continue;
    }
    previous = mapping.exit_code;
    const auto number = std::to_string(mapping.exit_code);
    table += "\n  " + number + std::string(4 - number.size(), ' ') + std::string(mapping.code);
  }
  return table + "\n";
}

cli_output cli_fail(std::string_view code, std::string_view message) {
  return {exit_code_for(code), "",
          "licensorctl: error: " + std::string(code) + ": " + std::string(message) + "\n"};
}

cli_output cli_fail(errc code, std::string_view message) { return cli_fail(errc_code(code), message); }

}  // namespace licensor::cli
