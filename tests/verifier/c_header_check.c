/* Compiled as C (not C++) so the suite notices if verifier.h stops being valid C. */
#include "licensor/verifier.h"

int lv_c_header_compiles_as_c(void);

int lv_c_header_compiles_as_c(void) {
  lv_context ctx;
  lv_context_init(&ctx);
  return ctx.leeway_seconds == 60 && sizeof(lv_status) > 0;
}
