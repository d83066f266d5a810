#include "licensor/thread_priority.hpp"

#include <sched.h>
#include <unistd.h>

namespace licensor {

void thread_priority_lower() noexcept {
  const sched_param unused{};  // SCHED_IDLE has no priority levels
  (void)sched_setscheduler(gettid(), SCHED_IDLE, &unused);
}

}  // namespace licensor
