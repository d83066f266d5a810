// licensord's configuration: defaults for the embedded development setup, overridden by an
// optional config file (key = value lines, the flag names without "--") and then by flags.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "api/service.hpp"
#include "core/compliance.hpp"
#include "core/expiry_notices.hpp"
#include "http/http_server.hpp"
#include "outbound/http_client.hpp"
#include "outbound/smtp_client.hpp"
#include "licensor/result.hpp"

namespace licensor::server {

struct daemon_config {
  std::filesystem::path data_dir = "licensor-data";
  /// The PostgreSQL store's connection string (a postgresql:// URI or libpq keywords, without a
  /// password); empty: the embedded LMDB store in <data_dir>/store.
  std::string store;
  std::filesystem::path store_password_file;  ///< the PostgreSQL password (a secret file, never a flag)
  std::filesystem::path key_dir;      ///< default: <data_dir>/keys
  std::filesystem::path backup_dir;   ///< default: <data_dir>/backups
  std::filesystem::path portal_dir;   ///< empty: <binary's folder>/../share/licensor/portal, if it exists
  std::filesystem::path tls_cert;     ///< default: <data_dir>/tls/cert.pem (self-signed if missing)
  std::filesystem::path tls_key;      ///< default: <data_dir>/tls/key.pem
  std::string passphrase_env = "LICENSOR_PASSPHRASE";
  std::filesystem::path passphrase_file;      ///< when set, the passphrase is read from it, not the environment
  std::filesystem::path operator_token_file;  ///< when set, the operator token is read from it, not LICENSOR_OPERATOR_TOKEN
  std::string issuer = "licensor";
  http_options http;
  bool test_clock = false;
  rate_limits limits;
  std::int64_t idempotency_ttl_seconds = 86'400;
  std::int64_t retired_secret_grace_seconds = 30 * 86'400;
  outbound_options webhooks;          ///< what webhook URLs may be, and how they are called
  smtp_options smtp;                  ///< the mail server (url empty: mail waits in the outbox)
  std::filesystem::path smtp_password_file;  ///< the SMTP password (a secret file, never a flag)
  std::int64_t event_retention_seconds = 30 * 86'400;  ///< delivered and dead events, and the delivery logs
  expiry_sweep_settings expiry;
  compliance_settings compliance;     ///< the compliance sweep's interval and deadline
  std::size_t campaign_batch = 256;   ///< licenses per store job of a campaign's run
  bool show_help = false;
};

/// Parses flags (and the --config file they name). On error, `error` says what is wrong.
[[nodiscard]] std::optional<daemon_config> daemon_config_parse(const std::vector<std::string>& args, std::string& error);

[[nodiscard]] const char* daemon_usage();

/// Reads a secret kept in a file of its own (a passphrase, a token; e.g. a systemd credential in
/// $CREDENTIALS_DIRECTORY): the whole file but one trailing newline. Refused, with `error` saying
/// why (never the content): a file that is not a regular file, that other users may read or
/// write (0600, or 0640 for a service group, as for the TLS key), that is empty or over 4 KiB.
[[nodiscard]] std::optional<std::string> secret_file_read(const std::filesystem::path& file, std::string& error);

}  // namespace licensor::server
