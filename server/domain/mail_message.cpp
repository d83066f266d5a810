#include "domain/mail_message.hpp"

#include <sodium.h>

#include <array>
#include <ctime>

namespace licensor::server {
namespace {

std::string base64(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

// Base64 in lines of 76 characters, as MIME asks.
std::string base64_lines(std::string_view bytes) {
  const auto encoded = base64(bytes);
  std::string out;
  for (std::size_t at = 0; at < encoded.size(); at += 76) {
    out += encoded.substr(at, 76);
    out += "\r\n";
  }
  return out;
}

std::string one_line(const std::string& value) {
  std::string out = value;
  for (auto& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

bool plain_ascii(const std::string& text) {
  for (const unsigned char c : text)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// "Fri, 04 Dec 2026 15:44:52 +0000", in English whatever the locale.
std::string rfc5322_date(std::int64_t seconds) {
  static constexpr std::array<const char*, 7> days{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = seconds;
  std::tm at{};
  gmtime_r(&t, &at);
  char out[40];
  std::snprintf(out, sizeof out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[at.tm_wday], at.tm_mday, months[at.tm_mon],
                at.tm_year + 1900, at.tm_hour, at.tm_min, at.tm_sec);
  return out;
}

std::string mailbox(const std::string& name, const std::string& address) {
  if (name.empty()) return "<" + one_line(address) + ">";
  auto shown = one_line(name);
  if (plain_ascii(shown)) {
    std::string quoted = "\"";
    for (const char c : shown) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    shown = quoted + "\"";
  } else {
    shown = mail_header_encode(shown);
  }
  return shown + " <" + one_line(address) + ">";
}

}  // namespace

std::string mail_header_encode(const std::string& text) {
  const auto line = one_line(text);
  if (plain_ascii(line)) return line;
  // 75 characters per word: "=?UTF-8?B?" and "?=" take 12, leaving 63 for base64 = 45 bytes.
  constexpr std::size_t bytes_per_word = 45;
  std::string out;
  std::size_t at = 0;
  while (at < line.size()) {
    std::size_t end = std::min(line.size(), at + bytes_per_word);
    // Back off to a character boundary: never end before a UTF-8 continuation byte.
    while (end < line.size() && end > at + 1 && (static_cast<unsigned char>(line[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(std::string_view(line).substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

std::string mail_message_format(const mail_message& message) {
  // "=_" cannot occur in base64, so the boundary never appears inside a part.
  const std::string boundary = "=_licensor_alternative_" + std::to_string(message.date);
  std::string out;
  out += "From: " + mailbox(message.from_name, message.from_address) + "\r\n";
  out += "To: <" + one_line(message.to) + ">\r\n";
  if (!message.reply_to.empty()) out += "Reply-To: <" + one_line(message.reply_to) + ">\r\n";
  out += "Subject: " + mail_header_encode(message.subject) + "\r\n";
  out += "Date: " + rfc5322_date(message.date) + "\r\n";
  out += "Message-ID: <" + one_line(message.message_id) + ">\r\n";
  out += "Content-Language: " + one_line(message.language) + "\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  out += "\r\n";
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += base64_lines(message.text);
  out += "--" + boundary + "\r\n";
  out += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  out += base64_lines(message.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace licensor::server
