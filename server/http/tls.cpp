#include "http/tls.hpp"

#include "http/tls_context.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>

namespace licensor::server {
namespace {

using x509_ptr = std::unique_ptr<X509, decltype(&X509_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

bool extension_add(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// Writes PEM through a FILE opened on a descriptor created with the given mode.
template <class Write>
bool pem_write(const std::filesystem::path& path, mode_t mode, Write write) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return false;
  FILE* file = ::fdopen(fd, "w");
  if (file == nullptr) {
    ::close(fd);
    return false;
  }
  const bool written = write(file) == 1;
  return std::fclose(file) == 0 && written;
}

// Mozilla's "intermediate" TLS 1.2 list: forward secrecy and AEAD only.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

constexpr int renew_days_before_expiry = 30;

bool certificate_fresh(const std::filesystem::path& certificate) {
  FILE* file = std::fopen(certificate.c_str(), "r");
  if (file == nullptr) return false;
  x509_ptr cert(PEM_read_X509(file, nullptr, nullptr, nullptr), X509_free);
  std::fclose(file);
  if (!cert) return false;
  const time_t renew_at = ::time(nullptr) + renew_days_before_expiry * 86'400L;
  return X509_cmp_time(X509_get0_notAfter(cert.get()), const_cast<time_t*>(&renew_at)) > 0;
}

// RFC 5280 asks for a unique serial; 128 random bits (top bit clear, so it stays positive).
bool serial_randomize(X509* certificate) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return false;
  bytes[0] &= 0x7f;
  BIGNUM* number = BN_bin2bn(bytes, sizeof bytes, nullptr);
  const bool set = number != nullptr && BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nullptr;
  BN_free(number);
  return set;
}

}  // namespace

bool tls_key_world_readable(const std::filesystem::path& private_key) {
  std::error_code ec;
  const auto perms = std::filesystem::status(private_key, ec).permissions();
  return !ec && (perms & std::filesystem::perms::others_all) != std::filesystem::perms::none;
}

result<std::shared_ptr<tls_context>> tls_context_load(const std::filesystem::path& certificate,
                                                      const std::filesystem::path& private_key) {
  namespace ssl = boost::asio::ssl;
  auto loaded = std::make_shared<tls_context>();
  auto* context = &loaded->context;
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  if (SSL_CTX_set_cipher_list(context->native_handle(), tls12_ciphers) != 1) return errc::internal;
  boost::system::error_code ec;
  context->use_certificate_chain_file(certificate.string(), ec);
  if (ec) return errc::io_error;
  context->use_private_key_file(private_key.string(), ssl::context::pem, ec);
  if (ec) return errc::io_error;
  return loaded;
}

result<void> tls_self_signed_ensure(const std::filesystem::path& certificate,
                                    const std::filesystem::path& private_key) {
  std::error_code ec;
  if (std::filesystem::exists(private_key, ec)) {
    std::filesystem::permissions(private_key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
    if (ec) return errc::io_error;
    if (certificate_fresh(certificate)) return {};
  }
  std::filesystem::create_directories(certificate.parent_path(), ec);

  pkey_ptr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  x509_ptr cert(X509_new(), X509_free);
  if (!key || !cert) return errc::internal;
  X509_set_version(cert.get(), 2);
  if (!serial_randomize(cert.get())) return errc::internal;
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 365L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("licensord development"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (!extension_add(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1") ||
      !extension_add(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
    return errc::internal;

  if (!pem_write(private_key, 0600, [&](FILE* f) {
        return PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      }) ||
      !pem_write(certificate, 0644, [&](FILE* f) { return PEM_write_X509(f, cert.get()); }))
    return errc::io_error;
  return {};
}

}  // namespace licensor::server
