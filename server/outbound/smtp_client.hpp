// Mail out over SMTP with libcurl: one message to one recipient per send, on one connection kept
// between sends. TLS is implicit for smtps:// URLs; for smtp:// STARTTLS is required unless the
// operator turned it off (a relay on loopback). AUTH when a user is configured. The mail server
// is the operator's own choice, so it is not held to the webhook address policy.
//
// Thread safety: one thread uses a client at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace licensor::server {

struct smtp_options {
  std::string url;              ///< "smtp://mail.example.com:587" or "smtps://mail.example.com:465"; empty: not configured
  bool starttls_required = true;
  std::string username;         ///< empty: no AUTH
  std::string password;
  std::string ca_file;          ///< trust these CAs instead of the system's (tests)
  std::chrono::milliseconds timeout{60'000};  ///< one message, connection included
  std::chrono::milliseconds connect_timeout{10'000};
};

/// Why `url` is no SMTP server URL, or empty.
[[nodiscard]] std::string smtp_url_problem(const std::string& url);

struct smtp_envelope {
  std::string from;     ///< the envelope sender (MAIL FROM)
  std::string to;       ///< the one recipient (RCPT TO)
  std::string message;  ///< RFC 5322, CRLF line ends (domain/mail_message.hpp)
};

struct smtp_outcome {
  int code = 0;                 ///< the server's last reply code (250: accepted); 0 when none came
  std::uint32_t latency_ms = 0;
  std::string error;            ///< empty when the server accepted the message
  bool permanent = false;       ///< the server refused this message for good (a 5xx on it)
  bool server_failed = false;   ///< no session: unreachable, TLS, AUTH refused, timed out
};

class smtp_client {
 public:
  explicit smtp_client(smtp_options options);
  ~smtp_client();
  smtp_client(const smtp_client&) = delete;
  smtp_client& operator=(const smtp_client&) = delete;

  /// Sends one message; blocks until the server answered or `timeout` passed.
  [[nodiscard]] smtp_outcome send(const smtp_envelope& envelope);

 private:
  smtp_options options_;
  void* easy_ = nullptr;  ///< CURL*, kept so that its connection is reused
};

}  // namespace licensor::server
