// The C API: converts arguments, calls license_verifier, and stops every exception at the
// boundary (C callers cannot catch them).
#include <algorithm>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "licensor/verifier.h"
#include "licensor/verifier.hpp"

struct lv_verifier {
  licensor::license_verifier impl;
};

struct lv_claims {
  licensor::license_claims claims;
  std::string kid;
};

namespace {

static_assert(static_cast<int>(LV_KEYRING_ROLLBACK) ==
              static_cast<int>(licensor::verify_status::keyring_rollback));

lv_status to_c(licensor::verify_status status) noexcept { return static_cast<lv_status>(status); }

std::string text_or_empty(const char* text) { return text ? std::string(text) : std::string(); }

const char* optional_c_str(const std::optional<std::string>& text) noexcept {
  return text ? text->c_str() : nullptr;
}

}  // namespace

extern "C" {

void lv_context_init(lv_context* ctx) {
  if (!ctx) return;
  *ctx = lv_context{};
  ctx->leeway_seconds = licensor::verify_context{}.leeway_seconds;
  ctx->grace_seconds = licensor::verify_context{}.grace_seconds;
}

const char* lv_status_name(lv_status status) {
  switch (status) {
    case LV_INVALID_ARGUMENT: return "invalid_argument";
    case LV_INTERNAL_ERROR: return "internal_error";
    default:
      if (status < LV_VALID || status > LV_KEYRING_ROLLBACK) return "unknown";
      // Every name is a literal, so its data() is NUL-terminated and static.
      return licensor::verify_status_name(static_cast<licensor::verify_status>(status)).data();
  }
}

lv_verifier* lv_verifier_new(const char* const* pinned_root_paserks, size_t n) {
  if (!pinned_root_paserks || n == 0) return nullptr;
  try {
    std::vector<licensor::PublicKey> roots;
    roots.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (!pinned_root_paserks[i]) return nullptr;
      auto key = licensor::pinned_root_parse(pinned_root_paserks[i]);
      if (!key) return nullptr;
      roots.push_back(*key);
    }
    return new lv_verifier{licensor::license_verifier(std::move(roots))};
  } catch (...) {
    return nullptr;
  }
}

void lv_verifier_free(lv_verifier* verifier) { delete verifier; }

lv_status lv_load_keyring(lv_verifier* verifier, const char* keyring_token,
                          uint64_t* highest_seen) {
  if (!verifier || !keyring_token || !highest_seen) return LV_INVALID_ARGUMENT;
  return to_c(verifier->impl.load_keyring(keyring_token, *highest_seen));
}

lv_status lv_verify(const lv_verifier* verifier, const char* license_token, const lv_context* ctx,
                    int64_t* last_trusted_time, lv_claims** out_claims) {
  if (out_claims) *out_claims = nullptr;
  if (!verifier || !license_token || !ctx || !ctx->product || !last_trusted_time)
    return LV_INVALID_ARGUMENT;
  try {
    licensor::verify_context context;
    context.now = ctx->now;
    context.product = ctx->product;
    context.app_version = text_or_empty(ctx->app_version);
    context.expected_email = text_or_empty(ctx->expected_email);
    context.fingerprint = text_or_empty(ctx->fingerprint);
    context.leeway_seconds = ctx->leeway_seconds;
    context.grace_seconds = ctx->grace_seconds;

    // Work on a copy so an allocation failure below leaves the caller's time unchanged.
    licensor::unix_seconds trusted = *last_trusted_time;
    auto outcome = verifier->impl.verify(license_token, context, trusted);
    const bool accepted = outcome.status == licensor::verify_status::valid ||
                          outcome.status == licensor::verify_status::valid_in_grace;
    if (accepted && out_claims)
      *out_claims = new lv_claims{std::move(outcome.claims), std::move(outcome.kid.value)};
    *last_trusted_time = trusted;
    return to_c(outcome.status);
  } catch (...) {
    return LV_INTERNAL_ERROR;
  }
}

void lv_claims_free(lv_claims* claims) { delete claims; }

const char* lv_claims_iss(const lv_claims* c) { return c ? c->claims.iss.c_str() : nullptr; }
const char* lv_claims_sub(const lv_claims* c) { return c ? c->claims.sub.c_str() : nullptr; }
const char* lv_claims_product(const lv_claims* c) {
  return c ? c->claims.product.c_str() : nullptr;
}
const char* lv_claims_tier(const lv_claims* c) { return c ? c->claims.tier.c_str() : nullptr; }
const char* lv_claims_kind(const lv_claims* c) {
  return c ? licensor::license_kind_name(c->claims.kind).data() : nullptr;
}
const char* lv_claims_email(const lv_claims* c) { return c ? c->claims.email.c_str() : nullptr; }
const char* lv_claims_min_version(const lv_claims* c) {
  return c ? optional_c_str(c->claims.min_version) : nullptr;
}
const char* lv_claims_max_version(const lv_claims* c) {
  return c ? optional_c_str(c->claims.max_version) : nullptr;
}
const char* lv_claims_fingerprint(const lv_claims* c) {
  return c ? optional_c_str(c->claims.fingerprint) : nullptr;
}
const char* lv_claims_kid(const lv_claims* c) { return c ? c->kid.c_str() : nullptr; }
int64_t lv_claims_iat(const lv_claims* c) { return c ? c->claims.iat : 0; }
int64_t lv_claims_nbf(const lv_claims* c) { return c ? c->claims.nbf : 0; }

int lv_claims_exp(const lv_claims* c, int64_t* exp) {
  if (!c || !exp || !c->claims.exp) return 0;
  *exp = *c->claims.exp;
  return 1;
}

uint32_t lv_claims_seats(const lv_claims* c) { return c ? c->claims.seats : 0; }
size_t lv_claims_feature_count(const lv_claims* c) { return c ? c->claims.features.size() : 0; }

const char* lv_claims_feature(const lv_claims* c, size_t index) {
  if (!c || index >= c->claims.features.size()) return nullptr;
  return c->claims.features[index].c_str();
}

size_t lv_claims_notice_count(const lv_claims* c) { return c ? c->claims.notices.size() : 0; }

const char* lv_claims_notice(const lv_claims* c, size_t index) {
  if (!c || index >= c->claims.notices.size()) return nullptr;
  return c->claims.notices[index].c_str();
}

int lv_claims_has_feature(const lv_claims* c, const char* feature) {
  if (!c || !feature) return 0;
  const auto& features = c->claims.features;
  return std::find(features.begin(), features.end(), feature) != features.end() ? 1 : 0;
}

}  // extern "C"
