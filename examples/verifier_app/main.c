/* verifier_app: checks a license fully offline, the way an app would at start-up.
 *
 *   verifier_app ROOT_FILE KEYRING_FILE LICENSE_FILE PRODUCT [EMAIL] [STATE_FILE]
 *
 * ROOT_FILE holds the pinned root key (k4.public; a real app compiles it in), KEYRING_FILE the
 * keyring token, LICENSE_FILE the license token. STATE_FILE, if given, keeps the two numbers the
 * verifier needs across runs: the highest keyring version seen and the last trusted time.
 * Exit status: 0 licensed, 1 not licensed (the status name is printed), 2 usage or I/O error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "licensor/verifier.h"

/* Reads a whole small text file, trailing white space removed. NULL on error. */
static char* read_text(const char* path) {
  FILE* file = fopen(path, "rb");
  if (!file) return NULL;
  char* text = malloc(65536);
  size_t size = text ? fread(text, 1, 65535, file) : 0;
  fclose(file);
  if (!text) return NULL;
  while (size > 0 && strchr(" \t\r\n", text[size - 1])) --size;
  text[size] = '\0';
  return text;
}

static void load_state(const char* path, uint64_t* highest_seen, int64_t* last_trusted) {
  FILE* file = path ? fopen(path, "r") : NULL;
  if (!file) return; /* first run */
  if (fscanf(file, "%" SCNu64 " %" SCNd64, highest_seen, last_trusted) != 2) {
    *highest_seen = 0;
    *last_trusted = 0;
  }
  fclose(file);
}

static int save_state(const char* path, uint64_t highest_seen, int64_t last_trusted) {
  if (!path) return 0;
  FILE* file = fopen(path, "w");
  if (!file) return -1;
  fprintf(file, "%" PRIu64 " %" PRId64 "\n", highest_seen, last_trusted);
  return fclose(file);
}

int main(int argc, char** argv) {
  if (argc < 5 || argc > 7) {
    fprintf(stderr, "usage: %s ROOT_FILE KEYRING_FILE LICENSE_FILE PRODUCT [EMAIL] [STATE_FILE]\n",
            argv[0]);
    return 2;
  }
  const char* email = argc > 5 && argv[5][0] ? argv[5] : NULL;
  const char* state_path = argc > 6 ? argv[6] : NULL;
  char* root = read_text(argv[1]);
  char* keyring = read_text(argv[2]);
  char* license = read_text(argv[3]);
  int exit_code = 2;
  lv_verifier* verifier = NULL;
  if (!root || !keyring || !license) {
    fprintf(stderr, "cannot read the root, keyring or license file\n");
    goto done;
  }

  const char* roots[] = {root};
  verifier = lv_verifier_new(roots, 1);
  if (!verifier) {
    fprintf(stderr, "the pinned root is not a k4.public key\n");
    goto done;
  }

  uint64_t highest_seen = 0;
  int64_t last_trusted = 0;
  load_state(state_path, &highest_seen, &last_trusted);

  lv_status status = lv_load_keyring(verifier, keyring, &highest_seen);
  if (status != LV_VALID) {
    printf("keyring: %s\n", lv_status_name(status));
    exit_code = 1;
    goto done;
  }

  lv_context ctx;
  lv_context_init(&ctx);
  ctx.now = (int64_t)time(NULL);
  ctx.product = argv[4];
  ctx.expected_email = email;
  ctx.grace_seconds = 7 * 86400; /* keep working for a week after expiry, with a warning */

  lv_claims* claims = NULL;
  status = lv_verify(verifier, license, &ctx, &last_trusted, &claims);
  printf("license: %s\n", lv_status_name(status));
  if (claims) {
    int64_t exp = 0;
    printf("  id       %s\n  product  %s (%s, %s)\n  email    %s\n  seats    %" PRIu32 "\n",
           lv_claims_sub(claims), lv_claims_product(claims), lv_claims_tier(claims),
           lv_claims_kind(claims), lv_claims_email(claims), lv_claims_seats(claims));
    if (lv_claims_exp(claims, &exp)) printf("  expires  %" PRId64 "\n", exp);
    for (size_t i = 0; i < lv_claims_feature_count(claims); ++i)
      printf("  feature  %s\n", lv_claims_feature(claims, i));
    for (size_t i = 0; i < lv_claims_notice_count(claims); ++i)
      printf("  notice   %s\n", lv_claims_notice(claims, i));
    lv_claims_free(claims);
  }
  if (save_state(state_path, highest_seen, last_trusted) != 0) {
    fprintf(stderr, "cannot write %s\n", state_path);
    goto done;
  }
  exit_code = status == LV_VALID || status == LV_VALID_IN_GRACE ? 0 : 1;

done:
  lv_verifier_free(verifier);
  free(root);
  free(keyring);
  free(license);
  return exit_code;
}
