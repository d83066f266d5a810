#include "outbound/http_client.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <deque>
#include <map>
#include <optional>
#include <stdexcept>

#include "outbound/address_policy.hpp"
#include "outbound/curl_global.hpp"

namespace licensor::server {
namespace {

struct url_parts {
  std::string scheme, host, port;
  bool has_user = false;
};

// The URL's parts by curl's own parser, so that what is checked is what curl will connect to.
std::optional<url_parts> url_parse(const std::string& url) {
  CURLU* handle = curl_url();
  if (handle == nullptr) return std::nullopt;
  std::optional<url_parts> out;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    url_parts parts;
    const auto part = [&](CURLUPart which, std::string& into, unsigned flags) {
      char* text = nullptr;
      if (curl_url_get(handle, which, &text, flags) != CURLUE_OK) return false;
      into = text;
      curl_free(text);
      return true;
    };
    std::string user;
    parts.has_user = part(CURLUPART_USER, user, 0);
    if (part(CURLUPART_SCHEME, parts.scheme, 0) && part(CURLUPART_HOST, parts.host, 0) &&
        part(CURLUPART_PORT, parts.port, CURLU_DEFAULT_PORT))
      out = std::move(parts);
  }
  curl_url_cleanup(handle);
  return out;
}

// Resolves host:port into curl's CURLOPT_RESOLVE form ("host:port:addr,addr"), or says why not.
struct resolution {
  std::string pinned;
  std::string error;
};

resolution resolve(const url_parts& url, bool allow_private) {
  std::string host = url.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int failed = getaddrinfo(host.c_str(), url.port.c_str(), &hints, &found); failed != 0)
    return {{}, "cannot resolve " + host + ": " + gai_strerror(failed)};
  std::string addresses;
  std::string refused;
  for (const addrinfo* at = found; at != nullptr; at = at->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    bool is_public = false;
    std::string written;
    if (at->ai_family == AF_INET) {
      const auto& v4 = reinterpret_cast<const sockaddr_in*>(at->ai_addr)->sin_addr;
      inet_ntop(AF_INET, &v4, text, sizeof text);
      is_public = ipv4_public(v4);
      written = text;
    } else if (at->ai_family == AF_INET6) {
      const auto& v6 = reinterpret_cast<const sockaddr_in6*>(at->ai_addr)->sin6_addr;
      inet_ntop(AF_INET6, &v6, text, sizeof text);
      is_public = ipv6_public(v6);
      written = std::string("[") + text + "]";
    } else {
      continue;
    }
    if (!is_public && !allow_private) {
      refused = text;
      break;
    }
    if (addresses.find(written) != std::string::npos) continue;
    if (!addresses.empty()) addresses += ',';
    addresses += written;
  }
  freeaddrinfo(found);
  if (!refused.empty()) return {{}, host + " resolves to " + refused + ", a private or reserved address, which is not allowed"};
  if (addresses.empty()) return {{}, "cannot resolve " + host + ": no address"};
  return {url.host + ":" + url.port + ":" + addresses, {}};
}

std::size_t body_discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

std::size_t header_seen(char* data, std::size_t size, std::size_t count, void* user) {
  const std::string_view line(data, size * count);
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size()) {
    bool matches = true;
    for (std::size_t i = 0; i < name.size() && matches; ++i)
      matches = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i]))) == name[i];
    if (matches) {
      auto value = line.substr(name.size());
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.remove_suffix(1);
      *static_cast<std::string*>(user) = std::string(value);
    }
  }
  return size * count;
}

}  // namespace

std::string outbound_url_problem(const std::string& url, const outbound_options& options) {
  if (url.size() > 2000) return "the URL is longer than 2000 characters";
  const auto parts = url_parse(url);
  if (!parts) return "not a URL";
  if (parts->scheme != "https" && !(options.allow_plain_http && parts->scheme == "http"))
    return options.allow_plain_http ? "the URL must be http:// or https://" : "the URL must be https://";
  if (parts->has_user) return "the URL must not carry a user name or password";
  if (parts->host.empty()) return "the URL has no host";
  return {};
}

struct http_client::state {
  outbound_options options;
  CURLM* multi = nullptr;
  struct transfer {
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    curl_slist* pinned = nullptr;
    outbound_request request;
    on_done done;
    outbound_response response;
    std::chrono::steady_clock::time_point started;
  };
  std::deque<std::unique_ptr<transfer>> queued;
  std::map<CURL*, std::unique_ptr<transfer>> running;
  std::vector<CURL*> idle;  ///< easy handles kept for reuse
  std::map<std::string, resolution> resolved;  ///< host:port -> addresses, for one run()

  CURL* easy_take() {
    if (!idle.empty()) {
      CURL* easy = idle.back();
      idle.pop_back();
      curl_easy_reset(easy);
      return easy;
    }
    return curl_easy_init();
  }

  void finish(std::unique_ptr<transfer> t) {
    t->response.latency_ms = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t->started).count());
    if (t->easy != nullptr) idle.push_back(t->easy);
    curl_slist_free_all(t->headers);
    curl_slist_free_all(t->pinned);
    auto done = std::move(t->done);
    const auto response = std::move(t->response);
    done(response);
  }

  // Starts `t`, or finishes it at once when its URL or address is refused.
  void start(std::unique_ptr<transfer> t) {
    t->started = std::chrono::steady_clock::now();
    const auto problem = outbound_url_problem(t->request.url, options);
    const auto parts = url_parse(t->request.url);
    if (!problem.empty() || !parts) {
      t->response.error = problem.empty() ? "not a URL" : problem;
      return finish(std::move(t));
    }
    const auto key = parts->host + ":" + parts->port;
    auto found = resolved.find(key);
    if (found == resolved.end()) found = resolved.emplace(key, resolve(*parts, options.allow_private_addresses)).first;
    if (!found->second.error.empty()) {
      t->response.error = found->second.error;
      return finish(std::move(t));
    }
    t->easy = easy_take();
    if (t->easy == nullptr) {
      t->response.error = "out of memory";
      return finish(std::move(t));
    }
    CURL* easy = t->easy;
    t->pinned = curl_slist_append(nullptr, found->second.pinned.c_str());
    for (const auto& header : t->request.headers) t->headers = curl_slist_append(t->headers, header.c_str());
    t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(easy, CURLOPT_URL, t->request.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, options.allow_plain_http ? "http,https" : "https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_RESOLVE, t->pinned);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.data());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->request.body.size()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "licensord-webhooks/1");
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, body_discard);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, header_seen);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &t->response.retry_after);
    if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
    if (curl_multi_add_handle(multi, easy) != CURLM_OK) {
      t->response.error = "cannot start the request";
      return finish(std::move(t));
    }
    running.emplace(easy, std::move(t));
  }
};

http_client::http_client(outbound_options options) : state_(std::make_unique<state>()) {
  curl_global_once();
  state_->options = std::move(options);
  state_->multi = curl_multi_init();
  if (state_->multi == nullptr) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(state_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(state_->options.max_parallel));
}

http_client::~http_client() {
  for (auto& [easy, t] : state_->running) {
    curl_multi_remove_handle(state_->multi, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t->headers);
    curl_slist_free_all(t->pinned);
  }
  for (CURL* easy : state_->idle) curl_easy_cleanup(easy);
  curl_multi_cleanup(state_->multi);
}

void http_client::post(outbound_request request, on_done done) {
  auto t = std::make_unique<state::transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  state_->queued.push_back(std::move(t));
}

void http_client::run() {
  auto& s = *state_;
  s.resolved.clear();  // DNS is asked again each round: an endpoint's address may change
  while (!s.queued.empty() || !s.running.empty()) {
    while (!s.queued.empty() && s.running.size() < s.options.max_parallel) {
      auto next = std::move(s.queued.front());
      s.queued.pop_front();
      s.start(std::move(next));
    }
    if (s.running.empty()) continue;
    int still_running = 0;
    curl_multi_perform(s.multi, &still_running);
    int left = 0;
    bool finished_any = false;
    while (CURLMsg* message = curl_multi_info_read(s.multi, &left)) {
      if (message->msg != CURLMSG_DONE) continue;
      CURL* easy = message->easy_handle;
      const CURLcode code = message->data.result;
      curl_multi_remove_handle(s.multi, easy);
      auto found = s.running.find(easy);
      if (found == s.running.end()) continue;
      auto t = std::move(found->second);
      s.running.erase(found);
      if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
        t->response.status = static_cast<int>(status);
      } else {
        t->response.error = curl_easy_strerror(code);
      }
      s.finish(std::move(t));
      finished_any = true;
    }
    if (!finished_any && !s.running.empty()) curl_multi_poll(s.multi, nullptr, 0, 200, nullptr);
  }
}

}  // namespace licensor::server
