// Names the calling thread, so that `top -H`, `perf report --sort comm` and a core dump say which
// of licensord's threads (the store's writer, the signer, the network workers, the jobs) is busy.
#pragma once

#include <string_view>

namespace licensor {

/// Names the calling thread; Linux keeps the first 15 characters. Never fails (a name is a hint).
void thread_name_set(std::string_view name) noexcept;

}  // namespace licensor
