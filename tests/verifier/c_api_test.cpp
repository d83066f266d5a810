// The C API end to end, including every NULL argument.
#include <doctest/doctest.h>

#include <string>

#include "licensor/paserk.hpp"
#include "licensor/verifier.h"
#include "verifier_fixture.hpp"

using namespace licensor;
using namespace licensor::testing;

extern "C" int lv_c_header_compiles_as_c(void);  // c_header_check.c

namespace {

struct c_setup {
  SecretKey root = SecretKey::generate();
  SecretKey signer = SecretKey::generate();
  std::string root_paserk = paserk_public(root.public_key());
  std::string keyring = keyring_token(root, 3, {keyring_entry_for(signer)});
  lv_verifier* verifier = nullptr;
  uint64_t highest_seen = 0;
  int64_t last_trusted = 0;
  lv_context ctx{};

  c_setup() {
    const char* roots[] = {root_paserk.c_str()};
    verifier = lv_verifier_new(roots, 1);
    lv_context_init(&ctx);
    ctx.now = issued_at + 86'400;
    ctx.product = "acme-editor";
  }
  ~c_setup() { lv_verifier_free(verifier); }
  c_setup(const c_setup&) = delete;
  c_setup& operator=(const c_setup&) = delete;
};

}  // namespace

TEST_CASE("the header is valid C") { CHECK(lv_c_header_compiles_as_c() == 1); }

TEST_CASE("C API: load, verify, read claims") {
  c_setup s;
  REQUIRE(s.verifier != nullptr);
  REQUIRE(lv_load_keyring(s.verifier, s.keyring.c_str(), &s.highest_seen) == LV_VALID);
  CHECK(s.highest_seen == 3);

  auto claims_in = sample_claims();
  claims_in.min_version = "20";
  claims_in.fingerprint = "machine-42";
  const auto token = license_token_sign(claims_in, s.signer);
  s.ctx.expected_email = " ANN@example.com";
  s.ctx.app_version = "20.1";
  s.ctx.fingerprint = "machine-42";

  lv_claims* claims = nullptr;
  REQUIRE(lv_verify(s.verifier, token.c_str(), &s.ctx, &s.last_trusted, &claims) == LV_VALID);
  REQUIRE(claims != nullptr);
  CHECK(s.last_trusted == s.ctx.now);
  CHECK(std::string(lv_claims_iss(claims)) == "licensor-test");
  CHECK(std::string(lv_claims_sub(claims)) == "lic_0001");
  CHECK(std::string(lv_claims_product(claims)) == "acme-editor");
  CHECK(std::string(lv_claims_tier(claims)) == "pro");
  CHECK(std::string(lv_claims_kind(claims)) == "paid");
  CHECK(std::string(lv_claims_email(claims)) == "ann@example.com");
  CHECK(std::string(lv_claims_min_version(claims)) == "20");
  CHECK(lv_claims_max_version(claims) == nullptr);
  CHECK(std::string(lv_claims_fingerprint(claims)) == "machine-42");
  CHECK(std::string(lv_claims_kid(claims)) == paserk_pid(s.signer.public_key()).value);
  CHECK(lv_claims_iat(claims) == issued_at);
  CHECK(lv_claims_nbf(claims) == issued_at);
  int64_t exp = 0;
  CHECK(lv_claims_exp(claims, &exp) == 1);
  CHECK(exp == issued_at + thirty_days);
  CHECK(lv_claims_seats(claims) == 5);
  REQUIRE(lv_claims_feature_count(claims) == 2);
  CHECK(std::string(lv_claims_feature(claims, 0)) == "export");
  CHECK(std::string(lv_claims_feature(claims, 1)) == "sync");
  CHECK(lv_claims_feature(claims, 2) == nullptr);
  CHECK(lv_claims_has_feature(claims, "sync") == 1);
  CHECK(lv_claims_has_feature(claims, "admin") == 0);
  CHECK(lv_claims_notice_count(claims) == 0);
  CHECK(lv_claims_notice(claims, 0) == nullptr);
  lv_claims_free(claims);

  SUBCASE("a license with notices still verifies and lists them") {
    claims_in.notices = {"customer_name_missing", "email_in_partner_domain"};
    const auto noticed = license_token_sign(claims_in, s.signer);
    REQUIRE(lv_verify(s.verifier, noticed.c_str(), &s.ctx, &s.last_trusted, &claims) == LV_VALID);
    REQUIRE(lv_claims_notice_count(claims) == 2);
    CHECK(std::string(lv_claims_notice(claims, 0)) == "customer_name_missing");
    CHECK(std::string(lv_claims_notice(claims, 1)) == "email_in_partner_domain");
    CHECK(lv_claims_notice(claims, 2) == nullptr);
    lv_claims_free(claims);
  }

  SUBCASE("claims outlive the verifier") {
    REQUIRE(lv_verify(s.verifier, token.c_str(), &s.ctx, &s.last_trusted, &claims) == LV_VALID);
    lv_verifier_free(s.verifier);
    s.verifier = nullptr;
    CHECK(std::string(lv_claims_sub(claims)) == "lic_0001");
    lv_claims_free(claims);
  }
}

TEST_CASE("C API: failures set no claims and keep the counters") {
  c_setup s;
  REQUIRE(lv_load_keyring(s.verifier, s.keyring.c_str(), &s.highest_seen) == LV_VALID);
  const auto token = license_token_sign(sample_claims(), s.signer);

  lv_claims* claims = reinterpret_cast<lv_claims*>(&s);  // must be overwritten with NULL
  s.ctx.product = "other";
  CHECK(lv_verify(s.verifier, token.c_str(), &s.ctx, &s.last_trusted, &claims) == LV_WRONG_PRODUCT);
  CHECK(claims == nullptr);
  CHECK(s.last_trusted == 0);

  s.ctx.product = "acme-editor";
  s.ctx.now = issued_at + thirty_days + 61;
  CHECK(lv_verify(s.verifier, token.c_str(), &s.ctx, &s.last_trusted, nullptr) == LV_EXPIRED);
  s.ctx.grace_seconds = 3600;
  CHECK(lv_verify(s.verifier, token.c_str(), &s.ctx, &s.last_trusted, nullptr) ==
        LV_VALID_IN_GRACE);
  CHECK(s.last_trusted == s.ctx.now);

  s.ctx.now -= 1000;
  CHECK(lv_verify(s.verifier, token.c_str(), &s.ctx, &s.last_trusted, nullptr) ==
        LV_CLOCK_TAMPERED);

  const auto old_keyring = keyring_token(s.root, 2, {keyring_entry_for(s.signer)});
  CHECK(lv_load_keyring(s.verifier, old_keyring.c_str(), &s.highest_seen) == LV_KEYRING_ROLLBACK);
  CHECK(s.highest_seen == 3);
  const auto impostor = keyring_token(SecretKey::generate(), 9, {keyring_entry_for(s.signer)});
  CHECK(lv_load_keyring(s.verifier, impostor.c_str(), &s.highest_seen) ==
        LV_KEYRING_BAD_SIGNATURE);
  CHECK(lv_load_keyring(s.verifier, "garbage", &s.highest_seen) == LV_MALFORMED);
  CHECK(lv_verify(s.verifier, "garbage", &s.ctx, &s.last_trusted, nullptr) == LV_MALFORMED);
}

TEST_CASE("C API: NULL arguments are errors, not crashes") {
  c_setup s;
  const auto token = license_token_sign(sample_claims(), s.signer);
  const char* good_roots[] = {s.root_paserk.c_str()};
  const char* null_root[] = {nullptr};
  const char* bad_root[] = {"k4.public.nope"};
  const char* secret_as_root[] = {"k4.secret.AAAA"};

  CHECK(lv_verifier_new(nullptr, 1) == nullptr);
  CHECK(lv_verifier_new(good_roots, 0) == nullptr);
  CHECK(lv_verifier_new(null_root, 1) == nullptr);
  CHECK(lv_verifier_new(bad_root, 1) == nullptr);
  CHECK(lv_verifier_new(secret_as_root, 1) == nullptr);

  CHECK(lv_load_keyring(nullptr, s.keyring.c_str(), &s.highest_seen) == LV_INVALID_ARGUMENT);
  CHECK(lv_load_keyring(s.verifier, nullptr, &s.highest_seen) == LV_INVALID_ARGUMENT);
  CHECK(lv_load_keyring(s.verifier, s.keyring.c_str(), nullptr) == LV_INVALID_ARGUMENT);
  REQUIRE(lv_load_keyring(s.verifier, s.keyring.c_str(), &s.highest_seen) == LV_VALID);

  lv_claims* claims = nullptr;
  CHECK(lv_verify(nullptr, token.c_str(), &s.ctx, &s.last_trusted, &claims) == LV_INVALID_ARGUMENT);
  CHECK(lv_verify(s.verifier, nullptr, &s.ctx, &s.last_trusted, &claims) == LV_INVALID_ARGUMENT);
  CHECK(lv_verify(s.verifier, token.c_str(), nullptr, &s.last_trusted, &claims) ==
        LV_INVALID_ARGUMENT);
  CHECK(lv_verify(s.verifier, token.c_str(), &s.ctx, nullptr, &claims) == LV_INVALID_ARGUMENT);
  lv_context no_product;
  lv_context_init(&no_product);
  CHECK(lv_verify(s.verifier, token.c_str(), &no_product, &s.last_trusted, &claims) ==
        LV_INVALID_ARGUMENT);
  CHECK(claims == nullptr);

  lv_context_init(nullptr);
  lv_verifier_free(nullptr);
  lv_claims_free(nullptr);
  CHECK(lv_claims_sub(nullptr) == nullptr);
  CHECK(lv_claims_kind(nullptr) == nullptr);
  CHECK(lv_claims_fingerprint(nullptr) == nullptr);
  CHECK(lv_claims_iat(nullptr) == 0);
  int64_t exp = 7;
  CHECK(lv_claims_exp(nullptr, &exp) == 0);
  CHECK(exp == 7);
  CHECK(lv_claims_seats(nullptr) == 0);
  CHECK(lv_claims_feature_count(nullptr) == 0);
  CHECK(lv_claims_feature(nullptr, 0) == nullptr);
  CHECK(lv_claims_has_feature(nullptr, "x") == 0);
  CHECK(lv_claims_notice_count(nullptr) == 0);
  CHECK(lv_claims_notice(nullptr, 0) == nullptr);
}

TEST_CASE("C API: context defaults and status names") {
  lv_context ctx;
  lv_context_init(&ctx);
  CHECK(ctx.leeway_seconds == 60);
  CHECK(ctx.grace_seconds == 0);
  CHECK(ctx.product == nullptr);
  CHECK(std::string(lv_status_name(LV_VALID_IN_GRACE)) == "valid_in_grace");
  CHECK(std::string(lv_status_name(LV_KEYRING_ROLLBACK)) == "keyring_rollback");
  CHECK(std::string(lv_status_name(LV_INVALID_ARGUMENT)) == "invalid_argument");
  CHECK(std::string(lv_status_name(LV_INTERNAL_ERROR)) == "internal_error");
  CHECK(std::string(lv_status_name(static_cast<lv_status>(57))) == "unknown");
  // The C values mirror the C++ enumerators one to one.
  for (int i = LV_VALID; i <= LV_KEYRING_ROLLBACK; ++i)
    CHECK(std::string(lv_status_name(static_cast<lv_status>(i))) ==
          verify_status_name(static_cast<verify_status>(i)));
}
