#include "licensor/paseto.hpp"

#include <sodium.h>

#include <algorithm>

#include "licensor/base64url.hpp"
#include "licensor/pae.hpp"

namespace licensor {
namespace {

std::string_view as_chars(const std::vector<std::uint8_t>& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

std::string paseto_sign(const SecretKey& key, std::string_view payload, std::string_view footer,
                        std::string_view implicit_assertion) {
  const auto pre_auth = pae({paseto_v4_public_header, payload, footer, implicit_assertion});
  std::vector<std::uint8_t> body(payload.begin(), payload.end());
  body.resize(payload.size() + crypto_sign_BYTES);
  crypto_sign_detached(body.data() + payload.size(), nullptr, pre_auth.data(), pre_auth.size(),
                       key.bytes().data());
  std::string token(paseto_v4_public_header);
  token += base64url_encode(body);
  if (!footer.empty()) {
    token += '.';
    token += base64url_encode(
        {reinterpret_cast<const std::uint8_t*>(footer.data()), footer.size()});
  }
  return token;
}

result<untrusted_token> paseto_parse(std::string_view token) {
  if (!token.starts_with(paseto_v4_public_header)) return errc::wrong_version;
  token.remove_prefix(paseto_v4_public_header.size());
  std::string_view encoded_body = token;
  std::string_view encoded_footer;
  if (const auto dot = token.find('.'); dot != std::string_view::npos) {
    encoded_body = token.substr(0, dot);
    encoded_footer = token.substr(dot + 1);
    // An empty footer is written without its dot, and a token has at most four parts.
    if (encoded_footer.empty() || encoded_footer.find('.') != std::string_view::npos)
      return errc::malformed;
  }
  auto body = base64url_decode(encoded_body);
  if (!body || body->size() < crypto_sign_BYTES) return errc::malformed;
  auto footer = base64url_decode(encoded_footer);
  if (!footer) return errc::malformed;

  untrusted_token out;
  const auto message_size = body->size() - crypto_sign_BYTES;
  out.untrusted_payload.assign(as_chars(*body).substr(0, message_size));
  std::copy_n(body->begin() + static_cast<std::ptrdiff_t>(message_size), crypto_sign_BYTES,
              out.signature.begin());
  out.untrusted_footer.assign(as_chars(*footer));
  return out;
}

result<verified_token> paseto_check(untrusted_token&& token, const PublicKey& key,
                                    std::string_view implicit_assertion) {
  const auto pre_auth = pae({paseto_v4_public_header, token.untrusted_payload,
                             token.untrusted_footer, implicit_assertion});
  if (crypto_sign_verify_detached(token.signature.data(), pre_auth.data(), pre_auth.size(),
                                  key.bytes.data()) != 0)
    return errc::bad_signature;
  return verified_token{std::move(token.untrusted_payload), std::move(token.untrusted_footer)};
}

result<verified_token> paseto_verify(std::string_view token, const PublicKey& key,
                                     std::string_view implicit_assertion) {
  auto parsed = paseto_parse(token);
  if (!parsed) return parsed.error();
  return paseto_check(std::move(*parsed), key, implicit_assertion);
}

}  // namespace licensor
