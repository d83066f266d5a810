#include "outbound/smtp_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>

#include "outbound/curl_global.hpp"

namespace licensor::server {
namespace {

struct upload {
  const std::string* message;
  std::size_t at = 0;
};

std::size_t upload_read(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto& source = *static_cast<upload*>(user);
  const auto left = source.message->size() - source.at;
  const auto n = std::min(left, size * count);
  std::memcpy(buffer, source.message->data() + source.at, n);
  source.at += n;
  return n;
}

// Failures that say nothing about the message: the session itself could not be had.
bool session_failure(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_LOGIN_DENIED:
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_GOT_NOTHING:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string smtp_url_problem(const std::string& url) {
  if (!url.starts_with("smtp://") && !url.starts_with("smtps://")) return "the URL must be smtp:// or smtps://";
  CURLU* handle = curl_url();
  if (handle == nullptr) return "out of memory";
  std::string problem;
  if (curl_url_set(handle, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    problem = "not a URL";
  } else {
    char* user = nullptr;
    if (curl_url_get(handle, CURLUPART_USER, &user, 0) == CURLUE_OK) {
      curl_free(user);
      problem = "the URL must not carry a user name or password (--smtp-user, --smtp-password-file)";
    }
  }
  curl_url_cleanup(handle);
  return problem;
}

smtp_client::smtp_client(smtp_options options) : options_(std::move(options)) { curl_global_once(); }

smtp_client::~smtp_client() {
  if (easy_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(easy_));
}

smtp_outcome smtp_client::send(const smtp_envelope& envelope) {
  smtp_outcome outcome;
  const auto started = std::chrono::steady_clock::now();
  if (easy_ == nullptr) easy_ = curl_easy_init();
  auto* easy = static_cast<CURL*>(easy_);
  if (easy == nullptr) {
    outcome.error = "out of memory";
    outcome.server_failed = true;
    return outcome;
  }
  curl_easy_reset(easy);  // keeps the connection cache
  upload source{&envelope.message};
  const std::string from = "<" + envelope.from + ">";
  curl_slist* recipients = curl_slist_append(nullptr, ("<" + envelope.to + ">").c_str());
  curl_easy_setopt(easy, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(easy, CURLOPT_PROXY, "");
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_USE_SSL, static_cast<long>(options_.starttls_required ? CURLUSESSL_ALL : CURLUSESSL_NONE));
  if (!options_.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.username.empty()) {
    curl_easy_setopt(easy, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(easy, CURLOPT_PASSWORD, options_.password.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(easy, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(easy, CURLOPT_READFUNCTION, upload_read);
  curl_easy_setopt(easy, CURLOPT_READDATA, &source);
  curl_easy_setopt(easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(envelope.message.size()));
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  const CURLcode code = curl_easy_perform(easy);
  curl_slist_free_all(recipients);
  long reply = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &reply);
  outcome.code = static_cast<int>(reply);
  outcome.latency_ms = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count());
  if (code == CURLE_OK) {
    if (outcome.code < 200 || outcome.code >= 300) outcome.code = 250;  // accepted, whatever curl last saw
    return outcome;
  }
  outcome.error = curl_easy_strerror(code);
  if (reply > 0) outcome.error += " (the server replied " + std::to_string(reply) + ")";
  outcome.server_failed = session_failure(code);
  // A 5xx on the message itself (a mailbox refused) stays refused; AUTH and TLS failures are the
  // session's, and mend when the configuration does.
  outcome.permanent = !outcome.server_failed && reply >= 500 && reply < 600;
  return outcome;
}

}  // namespace licensor::server
