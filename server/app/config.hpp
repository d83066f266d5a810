// licensord's configuration: defaults for the embedded development setup, overridden by an
// optional config file (key = value lines, the flag names without "--") and then by flags.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "api/service.hpp"
#include "http/http_server.hpp"
#include "licensor/result.hpp"

namespace licensor::server {

struct daemon_config {
  std::filesystem::path data_dir = "licensor-data";
  std::filesystem::path key_dir;      ///< default: <data_dir>/keys
  std::filesystem::path backup_dir;   ///< default: <data_dir>/backups
  std::filesystem::path tls_cert;     ///< default: <data_dir>/tls/cert.pem (self-signed if missing)
  std::filesystem::path tls_key;      ///< default: <data_dir>/tls/key.pem
  std::string passphrase_env = "LICENSOR_PASSPHRASE";
  std::string issuer = "licensor";
  http_options http;
  bool test_clock = false;
  rate_limits limits;
  std::int64_t idempotency_ttl_seconds = 86'400;
  std::int64_t retired_secret_grace_seconds = 30 * 86'400;
  bool show_help = false;
};

/// Parses flags (and the --config file they name). On error, `error` says what is wrong.
[[nodiscard]] std::optional<daemon_config> daemon_config_parse(const std::vector<std::string>& args, std::string& error);

[[nodiscard]] const char* daemon_usage();

}  // namespace licensor::server
