/* The offline license verifier, C API (a thin layer over licensor/verifier.hpp).
 *
 * Usage: create a verifier with the root public keys pinned in the app, load a keyring token
 * (from a file, GET /v1/keyring or an activation response), then verify license tokens.
 * The app persists two numbers between runs: the highest keyring version seen (rollback
 * protection) and the last trusted time (clock rollback detection).
 *
 * Strings: every `const char*` is a NUL-terminated UTF-8 string, only read during the call.
 * Errors: functions return an lv_status; nothing here aborts, prints, throws or reads the
 * clock, files or the network. A NULL where a pointer is required gives LV_INVALID_ARGUMENT.
 *
 * Thread safety: lv_verify may run concurrently on one verifier from any number of threads.
 * lv_load_keyring and lv_verifier_free need exclusive access to the verifier. Claims objects
 * are immutable and independent of the verifier; free each one once.
 */
#ifndef LICENSOR_VERIFIER_H
#define LICENSOR_VERIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "licensor/verify_export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Same order and meaning as licensor::verify_status, plus two C-only values. */
typedef enum lv_status {
  LV_VALID = 0,              /* every check passed */
  LV_VALID_IN_GRACE,         /* expired, but within grace_seconds after exp + leeway */
  LV_MALFORMED,              /* not a v4.public token, bad footer, or bad claims/keyring JSON */
  LV_UNKNOWN_KEY,            /* the token's kid is not in the loaded keyring, or none loaded */
  LV_REVOKED_KEY,            /* the keyring revokes the token's kid, whatever its iat */
  LV_BAD_SIGNATURE,          /* the signature does not verify (or it is another document kind) */
  LV_NOT_YET_VALID,          /* now < nbf - leeway */
  LV_EXPIRED,                /* now > exp + leeway + grace */
  LV_WRONG_PRODUCT,          /* the license is for another product */
  LV_EMAIL_MISMATCH,         /* the license is bound to another email */
  LV_VERSION_NOT_COVERED,    /* app_version is outside min_version..max_version */
  LV_FINGERPRINT_MISMATCH,   /* bound to another machine, or bound and no fingerprint given */
  LV_CLOCK_TAMPERED,         /* now < *last_trusted_time - leeway: the clock went back */
  LV_KEYRING_BAD_SIGNATURE,  /* the keyring was not signed by any pinned root */
  LV_KEYRING_ROLLBACK,       /* the keyring version is lower than *highest_seen */
  LV_INVALID_ARGUMENT = 100, /* a required pointer was NULL */
  LV_INTERNAL_ERROR = 101    /* out of memory; nothing was changed */
} lv_status;

/* Opaque handles. */
typedef struct lv_verifier lv_verifier;
typedef struct lv_claims lv_claims;

/* What the app knows at the moment of the check. Initialise with lv_context_init, then set
 * the fields; NULL or "" for an optional string means "not checked". */
typedef struct lv_context {
  int64_t now;                /* seconds since the Unix epoch (UTC) */
  const char* product;        /* required: the product id the license must name */
  const char* app_version;    /* optional: checked against min_version..max_version */
  const char* expected_email; /* optional: compared after trimming and lower-casing */
  const char* fingerprint;    /* optional; a token bound to a fingerprint needs a match */
  int64_t leeway_seconds;     /* clock skew tolerated (default 60; negative counts as 0) */
  int64_t grace_seconds;      /* valid_in_grace this long after exp + leeway (default 0) */
} lv_context;

/* Sets every field to its default: zeros and NULLs, leeway_seconds 60. Does nothing on NULL. */
LICENSOR_VERIFY_API void lv_context_init(lv_context* ctx);

/* The status's snake_case name ("valid_in_grace"), a static string; "unknown" if out of range. */
LICENSOR_VERIFY_API const char* lv_status_name(lv_status status);

/* Creates a verifier pinning `n` root public keys given as PASERK "k4.public.…" strings.
 * Returns NULL when `pinned_root_paserks` is NULL, n is 0, any entry is NULL or not a valid
 * k4.public, or memory runs out. Free with lv_verifier_free. */
LICENSOR_VERIFY_API LICENSOR_VERIFY_NODISCARD lv_verifier* lv_verifier_new(
    const char* const* pinned_root_paserks, size_t n);

/* Frees a verifier. NULL is a no-op. Claims obtained from it stay valid. */
LICENSOR_VERIFY_API void lv_verifier_free(lv_verifier* verifier);

/* Verifies `keyring_token` against the pinned roots and, on success, makes it the keyring
 * used by lv_verify. `highest_seen` is in/out: pass the value persisted last time (0 at first);
 * a lower keyring version is refused, an equal one accepted; on success it is set to the
 * keyring's version and the caller should persist it.
 * Returns LV_VALID, LV_MALFORMED, LV_KEYRING_BAD_SIGNATURE, LV_KEYRING_ROLLBACK,
 * LV_INVALID_ARGUMENT (a NULL argument) or LV_INTERNAL_ERROR. On any failure the previous
 * keyring and *highest_seen are unchanged. */
LICENSOR_VERIFY_API LICENSOR_VERIFY_NODISCARD lv_status lv_load_keyring(
    lv_verifier* verifier, const char* keyring_token, uint64_t* highest_seen);

/* Verifies a license token offline. `last_trusted_time` is in/out: pass the value persisted
 * last time (0 at first); after LV_VALID or LV_VALID_IN_GRACE it becomes
 * max(itself, now) (never the token's iat) and the caller should persist it; otherwise it is unchanged.
 * `out_claims` may be NULL; if not, *out_claims is set to a new claims object on LV_VALID or
 * LV_VALID_IN_GRACE (free it with lv_claims_free) and to NULL on every other result.
 * Returns any lv_status except the keyring ones; LV_INVALID_ARGUMENT when verifier, token,
 * ctx, ctx->product or last_trusted_time is NULL. */
LICENSOR_VERIFY_API LICENSOR_VERIFY_NODISCARD lv_status lv_verify(
    const lv_verifier* verifier, const char* license_token, const lv_context* ctx,
    int64_t* last_trusted_time, lv_claims** out_claims);

/* Frees claims. NULL is a no-op. */
LICENSOR_VERIFY_API void lv_claims_free(lv_claims* claims);

/* Claim accessors. Strings live as long as the claims object. On a NULL `claims` string
 * accessors return NULL and numeric ones 0. Optional claims that are absent give NULL. */
LICENSOR_VERIFY_API const char* lv_claims_iss(const lv_claims* claims);
LICENSOR_VERIFY_API const char* lv_claims_sub(const lv_claims* claims); /* license id */
LICENSOR_VERIFY_API const char* lv_claims_product(const lv_claims* claims);
LICENSOR_VERIFY_API const char* lv_claims_tier(const lv_claims* claims);
LICENSOR_VERIFY_API const char* lv_claims_kind(const lv_claims* claims); /* free|trial|paid */
LICENSOR_VERIFY_API const char* lv_claims_email(const lv_claims* claims);
LICENSOR_VERIFY_API const char* lv_claims_min_version(const lv_claims* claims);
LICENSOR_VERIFY_API const char* lv_claims_max_version(const lv_claims* claims);
LICENSOR_VERIFY_API const char* lv_claims_fingerprint(const lv_claims* claims);
LICENSOR_VERIFY_API const char* lv_claims_kid(const lv_claims* claims); /* the signing key */
LICENSOR_VERIFY_API int64_t lv_claims_iat(const lv_claims* claims);
LICENSOR_VERIFY_API int64_t lv_claims_nbf(const lv_claims* claims);
/* 1 and *exp set when the license expires; 0 when perpetual (or claims/exp is NULL). */
LICENSOR_VERIFY_API int lv_claims_exp(const lv_claims* claims, int64_t* exp);
LICENSOR_VERIFY_API uint32_t lv_claims_seats(const lv_claims* claims);
LICENSOR_VERIFY_API size_t lv_claims_feature_count(const lv_claims* claims);
/* The index-th feature, or NULL when index >= lv_claims_feature_count. */
LICENSOR_VERIFY_API const char* lv_claims_feature(const lv_claims* claims, size_t index);
/* 1 when the license lists `feature`, else 0 (also on NULL arguments). */
LICENSOR_VERIFY_API int lv_claims_has_feature(const lv_claims* claims, const char* feature);
/* Notices the app should show its user (claim `notice`): stable codes, e.g. the registration
 * rules a compliance check found broken ("customer_name_missing", ...). A license with notices
 * still verifies; its exp is then the deadline to fix them. 0 when there are none. */
LICENSOR_VERIFY_API size_t lv_claims_notice_count(const lv_claims* claims);
/* The index-th notice, or NULL when index >= lv_claims_notice_count. */
LICENSOR_VERIFY_API const char* lv_claims_notice(const lv_claims* claims, size_t index);

#ifdef __cplusplus
}
#endif

#endif /* LICENSOR_VERIFIER_H */
