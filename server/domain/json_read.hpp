// The server's one reader of JSON text: request bodies and stored documents. It accepts exactly
// what nlohmann::json::parse accepts and builds the same value, only faster: simdjson finds the
// structure (about 0.3 us for a 1 KiB license record, against 8.6 us for nlohmann's own lexer),
// and the document is then built as an nlohmann::json for the code that reads it. A stored
// record skips that value: domain/json_record.hpp reads it straight into its members.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

namespace licensor::server {

/// `text` as one JSON value, or a discarded value (`is_discarded()`) when it is not one JSON
/// document. Never throws on bad text. Non-negative integers are unsigned and negative ones
/// signed, as nlohmann's parser makes them; a key given twice keeps its last value. What simdjson
/// refuses but nlohmann accepts (an integer beyond 64 bits, nesting deeper than 1,024) is handed
/// to nlohmann's parser, so acceptance is nlohmann's. Thread-safe: each thread has its own parser.
[[nodiscard]] nlohmann::json json_read(std::string_view text);

}  // namespace licensor::server
