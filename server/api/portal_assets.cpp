#include "api/portal_assets.hpp"

#include <sodium.h>
#include <zlib.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <vector>
#include <sstream>

namespace licensor::server {
namespace {

constexpr std::string_view index_name = "index.html";
constexpr std::string_view assets_prefix = "/assets/";
constexpr std::string_view csp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

std::string content_type_of(const std::filesystem::path& name) {
  const auto ext = name.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".json") return "application/json";
  return "application/octet-stream";
}

std::optional<std::string> read_whole(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string sha256_hex8(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 4; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0f];
  }
  return out;
}

// gzip (RFC 1952) at the best compression: done once, at load.
std::string gzip(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const auto finished = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return finished == Z_STREAM_END ? out : std::string();
}

// "app.js" with its fingerprint: "/assets/app.1a2b3c4d.js".
std::string fingerprinted(const std::filesystem::path& name, std::string_view body) {
  return std::string(assets_prefix) + name.stem().string() + "." + sha256_hex8(body) + name.extension().string();
}

}  // namespace

bool gzip_accepted(std::string_view accept_encoding) {
  std::string lower(accept_encoding);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  std::erase(lower, ' ');
  for (std::size_t start = 0; start < lower.size();) {
    const auto end = std::min(lower.find(',', start), lower.size());
    const auto item = std::string_view(lower).substr(start, end - start);
    start = end + 1;
    const auto semicolon = std::min(item.find(';'), item.size());
    const auto coding = item.substr(0, semicolon);
    if (coding != "gzip" && coding != "*") continue;
    // "gzip;q=0" (any number of zeros) refuses it; any other weight accepts it.
    const auto weight = item.substr(semicolon);
    if (weight.rfind(";q=0", 0) == 0 && weight.find_first_not_of("0.", 4) == std::string_view::npos) continue;
    return true;
  }
  return false;
}

namespace {

// The portal's files by name, resolved one by one: a file's `{{asset:NAME}}` references are
// replaced by NAME's fingerprinted path, which needs NAME resolved first (its fingerprint is that
// of its resolved body). So a module that imports another gets a new name when the other changes.
class asset_resolver {
 public:
  asset_resolver(std::map<std::string, std::string> raw, std::string& error) : raw_(std::move(raw)), error_(error) {}

  /// `name`'s body with its references replaced, or nullopt (with error_ set) when it names a file
  /// that is not there or a chain of references comes back to itself.
  std::optional<std::string> body(const std::string& name) {
    if (const auto done = resolved_.find(name); done != resolved_.end()) return done->second;
    const auto raw = raw_.find(name);
    if (raw == raw_.end()) return std::nullopt;
    if (!visiting_.insert(name).second) {
      error_ = "the portal's files refer to each other in a circle, through '" + name + "'";
      return std::nullopt;
    }
    auto text = raw->second;
    for (auto open = text.find("{{asset:"); open != std::string::npos; open = text.find("{{asset:", open)) {
      const auto close = text.find("}}", open);
      const auto named = close == std::string::npos ? std::string() : text.substr(open + 8, close - open - 8);
      const auto path = named == std::string(index_name) ? std::nullopt : this->path(named);
      if (!path) {
        if (error_.empty()) error_ = name + " names an asset that is not in the portal's folder: '" + named + "'";
        return std::nullopt;
      }
      text.replace(open, close + 2 - open, *path);
      open += path->size();
    }
    visiting_.erase(name);
    return resolved_[name] = std::move(text);
  }

  /// "app.js" -> "/assets/app.1a2b3c4d.js", the fingerprint of its resolved body.
  std::optional<std::string> path(const std::string& name) {
    const auto resolved = body(name);
    if (!resolved) return std::nullopt;
    return fingerprinted(name, *resolved);
  }

 private:
  std::map<std::string, std::string> raw_;
  std::map<std::string, std::string> resolved_;
  std::set<std::string> visiting_;
  std::string& error_;
};

}  // namespace

std::optional<portal_assets> portal_assets::load(const std::filesystem::path& dir, std::string& error) {
  error.clear();
  std::error_code failed;
  std::map<std::string, std::string> raw;
  for (const auto& entry : std::filesystem::directory_iterator(dir, failed)) {
    if (!entry.is_regular_file()) continue;
    auto body = read_whole(entry.path());
    if (!body) {
      error = "cannot read " + entry.path().string();
      return std::nullopt;
    }
    raw[entry.path().filename().string()] = std::move(*body);
  }
  if (failed) {
    error = "cannot list " + dir.string() + ": " + failed.message();
    return std::nullopt;
  }
  if (!raw.contains(std::string(index_name))) {
    error = "no " + std::string(index_name) + " in " + dir.string();
    return std::nullopt;
  }
  std::vector<std::string> names;
  for (const auto& [name, body] : raw) names.push_back(name);
  asset_resolver resolver(std::move(raw), error);
  portal_assets loaded;
  for (const auto& name : names) {
    auto body = resolver.body(name);
    if (!body) {
      error = error.empty() ? "cannot resolve " + name : error + " (in " + dir.string() + ")";
      return std::nullopt;
    }
    const bool is_index = name == index_name;
    const auto path = is_index ? std::string("/") : fingerprinted(name, *body);
    auto gzipped = gzip(*body);
    loaded.by_path_[path] = {content_type_of(name), std::move(*body), std::move(gzipped), !is_index};
  }
  return loaded;
}

std::optional<api_response> portal_assets::answer(std::string_view path, bool gzip_ok) const {
  const auto found = by_path_.find(path);
  if (found == by_path_.end()) {
    if (path.rfind(assets_prefix, 0) != 0) return std::nullopt;
    // An old fingerprint (a page loaded before an upgrade) or a made-up name.
    return error_response(errc::not_found, "no such portal asset");
  }
  const auto& served = found->second;
  api_response response;
  response.content_type = served.content_type;
  const bool compressed = gzip_ok && !served.gzipped.empty() && served.gzipped.size() < served.body.size();
  response.raw_body = compressed ? served.gzipped : served.body;
  if (compressed) response.headers.emplace_back("Content-Encoding", "gzip");
  response.headers.emplace_back("Vary", "Accept-Encoding");
  response.cache_control = served.immutable ? "public, max-age=31536000, immutable" : "no-store";
  response.headers.emplace_back("Content-Security-Policy", std::string(csp));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  return response;
}

std::size_t portal_assets::assets_bytes() const {
  std::size_t total = 0;
  for (const auto& [path, served] : by_path_)
    if (served.immutable) total += served.body.size();
  return total;
}

}  // namespace licensor::server
