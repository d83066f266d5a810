// TLS material for licensord: a server context (TLS 1.2 minimum, 1.3 preferred, session
// tickets on so reconnecting clients skip the full handshake) loaded from PEM files, and a
// self-signed development certificate made on first start of the embedded default.
//
// TLS 1.2 offers only ECDHE with AEAD ciphers (AES-GCM, ChaCha20-Poly1305), as Mozilla's
// "intermediate" profile does: no CBC suites (LUCKY13), no static RSA key exchange.
#pragma once

#include <filesystem>
#include <memory>

#include "licensor/result.hpp"

namespace licensor::server {

/// A loaded server TLS context; what it holds is http/'s business (OpenSSL through Asio).
struct tls_context;

/// Errors: io_error when a file cannot be read or does not hold a usable certificate or key.
[[nodiscard]] result<std::shared_ptr<tls_context>> tls_context_load(
    const std::filesystem::path& certificate, const std::filesystem::path& private_key);

/// True when the private key file may be read by users other than its owner and group: such a
/// key is refused at start (a key shared with a service group, mode 0640, is accepted).
[[nodiscard]] bool tls_key_world_readable(const std::filesystem::path& private_key);

/// Writes a P-256 key (mode 0600) and a self-signed certificate for localhost/127.0.0.1 with a
/// random 128-bit serial, valid for a year, unless both files exist and the certificate is valid
/// for 30 more days (then it is renewed). An existing key file is brought back to 0600.
/// Errors: io_error, internal (OpenSSL failure).
[[nodiscard]] result<void> tls_self_signed_ensure(const std::filesystem::path& certificate,
                                                  const std::filesystem::path& private_key);

}  // namespace licensor::server
