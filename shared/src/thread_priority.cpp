#include "licensor/thread_priority.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace licensor {
namespace {

// Weight 110 against 1024 at nice 0: a tenth of a contended core, all of an idle one.
constexpr int background_nice = 10;

}  // namespace

void thread_priority_lower() noexcept {
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), background_nice);
}

}  // namespace licensor
