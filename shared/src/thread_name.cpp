#include "licensor/thread_name.hpp"

#include <pthread.h>

#include <string>

namespace licensor {

void thread_name_set(std::string_view name) noexcept {
  try {
    const std::string truncated(name.substr(0, 15));
    (void)pthread_setname_np(pthread_self(), truncated.c_str());
  } catch (...) {  // allocation failure: the thread keeps its old name
  }
}

}  // namespace licensor
