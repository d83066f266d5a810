// Webhook signatures in the Standard Webhooks format (https://www.standardwebhooks.com): a
// delivery carries webhook-id, webhook-timestamp and webhook-signature, the last being
// "v1,<base64 HMAC-SHA256 over id.timestamp.body>" for each secret in force, separated by
// spaces (two while a rotated secret overlaps the new one). Secrets are shown as "whsec_" and
// the key in standard base64, so any Standard Webhooks library verifies what Licensor sends.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace licensor::server {

using webhook_key = std::vector<unsigned char>;

/// A new secret: "whsec_" and 32 random bytes in standard base64.
[[nodiscard]] std::string webhook_secret_generate();

/// The key of a "whsec_…" secret (the prefix may be left out). nullopt unless it is standard
/// base64 of 24 to 64 bytes.
[[nodiscard]] std::optional<webhook_key> webhook_secret_decode(std::string_view secret);

/// The webhook-signature header's value for one delivery, signed with every key in `keys`
/// (in order).
[[nodiscard]] std::string webhook_signature(std::span<const webhook_key> keys, std::string_view id,
                                            std::int64_t timestamp, std::string_view body);

}  // namespace licensor::server
