// The server's one writer of JSON text, the counterpart of domain/json_read. It writes exactly
// what nlohmann::json::dump() writes (compact; an object's members in the object's order, which
// nlohmann keeps sorted by key; UTF-8 as is; quote, backslash and control characters escaped as
// dump escapes them), only faster: dump decodes every string character by character, where this
// checks the UTF-8 of a string at once and copies it in runs between the characters that need
// escaping. Records skip the nlohmann::json value too: domain/json_record.hpp writes them
// straight from their members (json_write_record).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace licensor::server {

/// What a string that is not valid UTF-8 gets (client bytes may be invalid; stored ones are not).
enum class invalid_utf8 {
  refuse,   ///< nlohmann's type_error 316, as dump() throws it
  replace,  ///< U+FFFD, as dump(-1, ' ', false, error_handler_t::replace) writes it
};

/// Appends `value`'s text to `out`, the same text as `value.dump()` with the handler `invalid`
/// names. A floating-point number and a binary value are written by nlohmann itself.
void json_write(std::string& out, const nlohmann::json& value, invalid_utf8 invalid = invalid_utf8::refuse);

/// `value`'s text (see above).
[[nodiscard]] std::string json_write(const nlohmann::json& value, invalid_utf8 invalid = invalid_utf8::refuse);

/// Appends `text` as a JSON string, quoted and escaped, as json_write writes a string value.
void json_write_string(std::string& out, std::string_view text, invalid_utf8 invalid = invalid_utf8::refuse);

}  // namespace licensor::server
