// An e-mail as it goes on the wire (RFC 5322 with MIME, RFC 2045-2047): a plain-text and an
// HTML part as multipart/alternative, both UTF-8 in base64, the subject and names as encoded
// words when they are not plain ASCII. Header values lose any CR or LF, so nothing a template or
// a record holds can add a header.
#pragma once

#include <cstdint>
#include <string>

namespace licensor::server {

struct mail_message {
  std::string from_address;
  std::string from_name;   ///< may be empty
  std::string reply_to;    ///< may be empty
  std::string to;
  std::string subject;
  std::string language;    ///< Content-Language ("en", "es", "it")
  std::string text;        ///< the plain-text part
  std::string html;        ///< the HTML part: a whole document
  std::string message_id;  ///< without angle brackets: "evt_…@example.com"
  std::int64_t date = 0;   ///< Unix seconds
};

/// The message with CRLF line ends, ready for SMTP's DATA.
[[nodiscard]] std::string mail_message_format(const mail_message& message);

/// `text` as a header value: unchanged when it is printable ASCII, otherwise RFC 2047 encoded
/// words ("=?UTF-8?B?…?="), each at most 75 characters and never splitting a character.
[[nodiscard]] std::string mail_header_encode(const std::string& text);

}  // namespace licensor::server
