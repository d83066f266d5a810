// The web portal's files (portal/ in the source tree), served by licensord itself at `/` over
// its own TLS listener: no CDN, nothing fetched from elsewhere, works with no network.
//
// Loaded once at start from a flat folder (installed with the binary: share/licensor/portal):
// - index.html is served at `/`, never cached (it names the current assets);
// - every other file NAME.EXT at `/assets/NAME.<first 8 hex of its SHA-256>.EXT`, cached for a
//   year as immutable: a changed file gets a new name. index.html, and any file (a module
//   importing another), names them as `{{asset:NAME.EXT}}`, replaced at load; a file's
//   fingerprint is that of its body after the replacement, so it changes with what it imports;
// - each body is also kept gzip-compressed, sent to clients that accept gzip.
// Every answer carries a strict Content-Security-Policy (scripts and styles from this origin
// only: no inline script, no eval), frame-ancestors 'none', nosniff and no referrer.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_types.hpp"

namespace licensor::server {

class portal_assets {
 public:
  /// Loads the files of `dir`. On failure (a missing index.html, a name a file refers to that
  /// is not there, files referring to each other in a circle, an unreadable file) returns nullopt and says why in `error`.
  [[nodiscard]] static std::optional<portal_assets> load(const std::filesystem::path& dir, std::string& error);

  /// The answer to GET `path`, or nullopt when `path` is not the portal's (`/`, `/assets/…`).
  /// `gzip_accepted`: the client's Accept-Encoding names gzip.
  [[nodiscard]] std::optional<api_response> answer(std::string_view path, bool gzip_accepted) const;

  /// The total size of the files other than index.html (uncompressed), for the log.
  [[nodiscard]] std::size_t assets_bytes() const;

 private:
  struct file {
    std::string content_type;
    std::string body;
    std::string gzipped;
    bool immutable = false;
  };
  std::map<std::string, file, std::less<>> by_path_;
};

/// True when an Accept-Encoding header value accepts gzip ("gzip", "deflate, gzip;q=0.8"; not
/// "gzip;q=0").
[[nodiscard]] bool gzip_accepted(std::string_view accept_encoding);

}  // namespace licensor::server
