// Running a write job that may need tokens signed (core/license_tokens.hpp): submit it; if a run
// succeeded but noted tokens that were not signed yet, roll it back, sign the claims it listed
// off the writer and submit it again. A run that fails answers its error at once.
// A job that keeps needing new signatures after `max_rounds` runs (the store keeps changing under
// it) fails with conflict; the client may retry.
#pragma once

#include <functional>

#include "core/license_tokens.hpp"
#include "store/store.hpp"

namespace licensor::server {

inline constexpr int signed_commit_max_rounds = 8;

/// A write job that signs through `with` (license_sign). It may throw refusal (its error is the
/// job's).
using signed_job = std::function<result<void>(store::write_view&, const signing& with)>;

/// Runs a task on some thread that is not the store's writer.
using off_writer = std::function<void(std::function<void()>)>;

/// Asynchronous: `done` runs once with the outcome (on a store thread or a `post` thread).
void signed_commit(store::store& store, signing with, signed_job work, off_writer post,
                   std::function<void(result<void>)> done);

/// Blocking, for job threads: signs on the calling thread between rounds.
[[nodiscard]] result<void> signed_commit_wait(store::store& store, const signing& with, const signed_job& work);

}  // namespace licensor::server
