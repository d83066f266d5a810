#include "app/config.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <map>

#include "store/pg/pg_store.hpp"

namespace licensor::server {
namespace {

bool number_parse(const std::string& text, unsigned long& out) {
  const auto* end = text.data() + text.size();
  const auto parsed = std::from_chars(text.data(), end, out);
  return parsed.ec == std::errc() && parsed.ptr == end;
}

// Applies one setting; returns an error message or empty.
std::string setting_apply(daemon_config& config, const std::string& name, const std::string& value) {
  unsigned long number = 0;
  if (name == "listen") {
    const auto colon = value.rfind(':');
    if (colon == std::string::npos || !number_parse(value.substr(colon + 1), number) || number > 65535)
      return "--listen takes ADDRESS:PORT";
    config.http.address = value.substr(0, colon);
    config.http.port = static_cast<unsigned short>(number);
  } else if (name == "data-dir") {
    config.data_dir = value;
  } else if (name == "store") {
    if (auto problem = store::pg_conninfo_problem(value); !problem.empty()) return "--store " + problem;
    config.store = value;
  } else if (name == "store-password-file") {
    config.store_password_file = value;
  } else if (name == "key-dir") {
    config.key_dir = value;
  } else if (name == "backup-dir") {
    config.backup_dir = value;
  } else if (name == "portal-dir") {
    config.portal_dir = value;
  } else if (name == "tls-cert") {
    config.tls_cert = value;
  } else if (name == "tls-key") {
    config.tls_key = value;
  } else if (name == "passphrase-env") {
    config.passphrase_env = value;
  } else if (name == "passphrase-file") {
    config.passphrase_file = value;
  } else if (name == "operator-token-file") {
    config.operator_token_file = value;
  } else if (name == "issuer") {
    config.issuer = value;
  } else if (name == "threads") {
    if (!number_parse(value, number) || number > 256) return "--threads takes a number";
    config.http.threads = static_cast<unsigned>(number);
  } else if (name == "max-connections") {
    if (!number_parse(value, number) || number == 0) return "--max-connections takes a positive number";
    config.http.limits.max_connections = number;
  } else if (name == "max-client-connections") {
    if (!number_parse(value, number) || number == 0) return "--max-client-connections takes a positive number";
    config.http.limits.max_connections_per_client = number;
  } else if (name == "max-handshakes") {
    if (!number_parse(value, number) || number == 0) return "--max-handshakes takes a positive number";
    config.http.limits.max_handshakes = number;
  } else if (name == "body-limit") {
    if (!number_parse(value, number) || number == 0) return "--body-limit takes a byte count";
    config.http.limits.body_bytes = number;
  } else if (name == "idle-timeout") {
    if (!number_parse(value, number) || number == 0) return "--idle-timeout takes seconds";
    config.http.limits.idle_timeout = std::chrono::seconds(number);
  } else if (name == "read-timeout") {
    if (!number_parse(value, number) || number == 0) return "--read-timeout takes seconds";
    config.http.limits.read_timeout = std::chrono::seconds(number);
  } else if (name == "activate-rate" || name == "activate-key-rate" || name == "auth-failure-rate") {
    if (!number_parse(value, number) || number == 0) return "--" + name + " takes requests per minute";
    const auto rate = static_cast<double>(number);
    // The burst follows the rate, so a low limit also bounds a burst.
    if (name == "activate-rate") config.limits.activate_per_client = rate, config.limits.activate_per_client_burst = rate / 2 + 1;
    if (name == "activate-key-rate") config.limits.activate_per_key = rate, config.limits.activate_per_key_burst = rate;
    if (name == "auth-failure-rate") config.limits.auth_failures_per_client = rate, config.limits.auth_failures_per_client_burst = rate;
  } else if (name == "idempotency-ttl") {
    if (!number_parse(value, number) || number == 0 || number > 24 * 365) return "--idempotency-ttl takes hours";
    config.idempotency_ttl_seconds = static_cast<std::int64_t>(number) * 3600;
  } else if (name == "retired-secret-grace") {
    if (!number_parse(value, number) || number > 3650) return "--retired-secret-grace takes days";
    config.retired_secret_grace_seconds = static_cast<std::int64_t>(number) * 86'400;
  } else if (name == "webhook-allow-private" || name == "webhook-allow-http") {
    if (value != "yes" && value != "no") return "--" + name + " takes yes or no";
    auto& allowed = name == "webhook-allow-private" ? config.webhooks.allow_private_addresses
                                                    : config.webhooks.allow_plain_http;
    allowed = value == "yes";
  } else if (name == "webhook-timeout") {
    if (!number_parse(value, number) || number == 0 || number > 300) return "--webhook-timeout takes seconds (1 to 300)";
    config.webhooks.timeout = std::chrono::seconds(number);
  } else if (name == "webhook-ca-file") {
    config.webhooks.ca_file = value;
  } else if (name == "smtp-url") {
    if (auto problem = smtp_url_problem(value); !problem.empty()) return "--smtp-url: " + problem;
    config.smtp.url = value;
  } else if (name == "smtp-starttls") {
    if (value != "required" && value != "no") return "--smtp-starttls takes required or no";
    config.smtp.starttls_required = value == "required";
  } else if (name == "smtp-user") {
    config.smtp.username = value;
  } else if (name == "smtp-password-file") {
    config.smtp_password_file = value;
  } else if (name == "smtp-ca-file") {
    config.smtp.ca_file = value;
  } else if (name == "smtp-timeout") {
    if (!number_parse(value, number) || number == 0 || number > 600) return "--smtp-timeout takes seconds (1 to 600)";
    config.smtp.timeout = std::chrono::seconds(number);
  } else if (name == "event-retention") {
    if (!number_parse(value, number) || number == 0 || number > 3650) return "--event-retention takes days (1 to 3650)";
    config.event_retention_seconds = static_cast<std::int64_t>(number) * 86'400;
  } else if (name == "compliance-interval") {
    if (!number_parse(value, number) || number == 0 || number > 366) return "--compliance-interval takes days (1 to 366)";
    config.compliance.interval_seconds = static_cast<std::int64_t>(number) * 86'400;
  } else if (name == "compliance-deadline") {
    if (!number_parse(value, number) || number == 0 || number > 366) return "--compliance-deadline takes days (1 to 366)";
    config.compliance.deadline_seconds = static_cast<std::int64_t>(number) * 86'400;
  } else if (name == "campaign-batch") {
    if (!number_parse(value, number) || number == 0 || number > 10'000) return "--campaign-batch takes a count (1 to 10000)";
    config.campaign_batch = static_cast<std::size_t>(number);
  } else if (name == "expiry-warnings") {
    // Days before expiry, comma-separated: "30,7,1".
    std::vector<int> days;
    std::size_t start = 0;
    while (start <= value.size()) {
      const auto comma = std::min(value.find(',', start), value.size());
      if (!number_parse(value.substr(start, comma - start), number) || number == 0 || number > 365)
        return "--expiry-warnings takes days before expiry, 1 to 365, comma-separated (e.g. 30,7,1)";
      days.push_back(static_cast<int>(number));
      start = comma + 1;
    }
    config.expiry.warn_days = std::move(days);
  } else if (name == "log-level") {
    if (value != "info" && value != "warn") return "--log-level takes info or warn";
    config.http.log_requests = value == "info";
  } else {
    return "unknown setting '" + name + "'";
  }
  return {};
}

std::string config_file_apply(daemon_config& config, const std::string& path) {
  std::ifstream in(path);
  if (!in) return "cannot read config file " + path;
  std::string line;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos) return "config line without '=': " + line;
    auto trim = [](std::string text) {
      text.erase(0, text.find_first_not_of(" \t"));
      text.erase(text.find_last_not_of(" \t\r") + 1);
      return text;
    };
    if (auto error = setting_apply(config, trim(line.substr(0, eq)), trim(line.substr(eq + 1))); !error.empty())
      return error;
  }
  return {};
}

}  // namespace

std::optional<std::string> secret_file_read(const std::filesystem::path& file, std::string& error) {
  constexpr std::size_t max_bytes = 4096;
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    error = "cannot read " + file.string();
    return std::nullopt;
  }
  struct ::stat info {};
  std::string secret;
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    error = file.string() + " is not a regular file";
  } else if ((info.st_mode & (S_IRWXO | S_IWGRP)) != 0) {
    error = file.string() + " is readable or writable by other users; chmod 0600 (or 0640 for a service group)";
  } else if (static_cast<std::size_t>(info.st_size) > max_bytes) {
    error = file.string() + " is larger than 4 KiB";
  } else {
    std::array<char, max_bytes + 1> buffer{};
    std::size_t size = 0;
    while (size < buffer.size()) {  // one byte past the limit tells a file that grew since fstat
      const ssize_t got = ::read(fd, buffer.data() + size, buffer.size() - size);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) error = "cannot read " + file.string();
      if (got <= 0) break;
      size += static_cast<std::size_t>(got);
    }
    if (error.empty() && size > max_bytes) error = file.string() + " is larger than 4 KiB";
    if (error.empty() && size > 0 && buffer[size - 1] == '\n') --size;
    if (error.empty() && size == 0) error = file.string() + " is empty";
    if (error.empty()) secret.assign(buffer.data(), size);
    sodium_memzero(buffer.data(), buffer.size());
  }
  ::close(fd);
  if (!error.empty()) return std::nullopt;
  return secret;
}

const char* daemon_usage() {
  return R"(licensord: the Licensor license server (HTTPS JSON API under /v1)

usage: licensord [options]
       licensord backup [options]        snapshot the store (while a server runs) into the backup dir
       licensord restore FOLDER [options]  check a snapshot, then replace the (stopped) server's store
       licensord move-store TARGET [options]  copy every record of the (stopped) server's store
                          into an empty one and check the counts: TARGET is a PostgreSQL
                          conninfo (from the LMDB store), or a data dir (from --store's)

  --config FILE           read settings (name = value, names as below without --) first
  --listen ADDR:PORT      listen address (default 127.0.0.1:8443; port 0 picks a free port)
  --data-dir DIR          LMDB store, development keys and certificate (default ./licensor-data)
  --store CONNINFO        keep the store in PostgreSQL instead of LMDB: a postgresql:// URI or
                          libpq keywords, without a password (docs/postgresql.md); replicas
                          given the same one serve one store
  --store-password-file FILE  the PostgreSQL password (same rules as --passphrase-file); libpq's
                          PGPASSWORD and ~/.pgpass work too
  --key-dir DIR           signing key directory (default DATA_DIR/keys; created in development
                          mode, secrets unwrapped, when missing and no passphrase is set)
  --backup-dir DIR        where backups are written, one folder each (default DATA_DIR/backups)
  --portal-dir DIR        the web portal's files, served at / (default: share/licensor/portal
                          beside the binary's folder; the portal is off when that is missing)
  --passphrase-env NAME   environment variable holding the key passphrase (default LICENSOR_PASSPHRASE)
  --passphrase-file FILE  read the key passphrase from FILE instead (one trailing newline is
                          dropped; mode 0600, or 0640 for a service group), e.g. a systemd
                          credential: --passphrase-file ${CREDENTIALS_DIRECTORY}/passphrase
  --operator-token-file FILE  read the operator token from FILE instead of LICENSOR_OPERATOR_TOKEN
                          (same rules); it is then never printed
  --tls-cert FILE         PEM certificate chain (default DATA_DIR/tls/cert.pem, self-signed if missing)
  --tls-key FILE          PEM private key (default DATA_DIR/tls/key.pem)
  --threads N             worker threads (default: number of cores)
  --max-connections N     open connection limit (default 10000; lowered to fit the open-file limit,
                          which licensord raises to its hard maximum at start)
  --max-client-connections N  open connections from one client address (default 256)
  --max-handshakes N      connections still in the TLS handshake (default 1000)
  --body-limit BYTES      request body limit (default 65536)
  --read-timeout S        seconds to receive a whole request (default 15)
  --idle-timeout S        seconds a keep-alive connection may wait for a request (default 60)
  --log-level info|warn   info logs one line per request (default info)
  --activate-rate N       activations per minute per client address (default 120, burst 61)
  --activate-key-rate N   activation attempts per minute per activation key (default 10)
  --auth-failure-rate N   failed authentications per minute per client address (default 30)
  --idempotency-ttl H     hours a change's first answer is replayed for its Idempotency-Key (default 24)
  --retired-secret-grace D  days a retired signing key's secret stays on disk before it is
                          deleted (its public key keeps verifying; default 30)
  --webhook-allow-private yes|no  let webhooks reach loopback, private and link-local addresses
                          (default no: checked after DNS at every delivery; for closed networks and tests)
  --webhook-allow-http yes|no  accept http:// webhook URLs (default no: https:// only)
  --webhook-timeout S     seconds a webhook receiver has to answer (default 15)
  --webhook-ca-file FILE  trust these CAs for webhook receivers instead of the system's
  --smtp-url URL          the mail server: smtp://host:587 (STARTTLS) or smtps://host:465; without
                          it mail waits in the outbox (GET /v1/health says so)
  --smtp-starttls required|no  STARTTLS on smtp:// URLs (default required; no: a relay on loopback)
  --smtp-user NAME        AUTH as NAME, with the password read from --smtp-password-file
  --smtp-password-file FILE  the SMTP password (0600, as for every secret file)
  --smtp-ca-file FILE     trust these CAs for the mail server instead of the system's
  --smtp-timeout S        seconds one message may take, connection included (default 60)
  --event-retention D     days delivered and dead events and the delivery logs are kept (default 30)
  --compliance-interval D days between compliance sweeps of free licenses (default 30)
  --compliance-deadline D days a wrongly registered free license has to be fixed (default 30)
  --campaign-batch N      licenses per store job when a campaign runs (default 256): smaller
                          batches hold the store's writer for less time each
  --expiry-warnings D,D   days before a license's expiry its license.expiring events are written
                          (default 30,7,1)
  --issuer NAME           the tokens' iss claim (default licensor)
  --test-clock            tests only: adds POST /v1/test/clock for operators to set the time
  --help                  this text

The operator token is printed once, on the first start of a data dir. Set
LICENSOR_OPERATOR_TOKEN (or --operator-token-file) to choose it instead (its hash replaces the
stored one).
SIGTERM or SIGINT stops gracefully: requests in flight are answered and the store closes.
)";
}

std::optional<daemon_config> daemon_config_parse(const std::vector<std::string>& args, std::string& error) {
  daemon_config config;
  // A config file applies first, whatever its position, so flags override it.
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--config") {
      if (error = config_file_apply(config, args[i + 1]); !error.empty()) return std::nullopt;
    }
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      config.show_help = true;
    } else if (arg == "--test-clock") {
      config.test_clock = true;
    } else if (arg.starts_with("--") && i + 1 < args.size()) {
      if (arg != "--config") {
        if (error = setting_apply(config, arg.substr(2), args[i + 1]); !error.empty()) return std::nullopt;
      }
      ++i;
    } else {
      error = "unexpected argument '" + arg + "'";
      return std::nullopt;
    }
  }
  if (config.key_dir.empty()) config.key_dir = config.data_dir / "keys";
  if (config.backup_dir.empty()) config.backup_dir = config.data_dir / "backups";
  if (config.tls_cert.empty()) config.tls_cert = config.data_dir / "tls" / "cert.pem";
  if (config.tls_key.empty()) config.tls_key = config.data_dir / "tls" / "key.pem";
  return config;
}

}  // namespace licensor::server
