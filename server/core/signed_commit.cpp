#include "core/signed_commit.hpp"

#include <atomic>
#include <future>
#include <memory>

#include "core/refusal.hpp"

namespace licensor::server {
namespace {

struct attempt {
  attempt(store::store& store, signing with, signed_job work, off_writer post, std::function<void(result<void>)> done)
      : store(store), with(std::move(with)), work(std::move(work)), post(std::move(post)), done(std::move(done)) {}
  store::store& store;
  signing with;
  signed_job work;
  off_writer post;
  std::function<void(result<void>)> done;
  int rounds = 0;
  std::atomic<bool> needs_signatures{false};
};

// Runs the job once inside the store. A run that went through with placeholders for tokens not
// signed yet is rolled back (its writes hold placeholders) and noted.
store::store::job one_run(const std::shared_ptr<attempt>& state) {
  return [state](store::write_view& write) -> result<void> {
    result<void> outcome;
    try {
      outcome = state->work(write, state->with);
    } catch (const refusal& refused) {
      outcome = refused.code;
    }
    if (!state->with.presigned->has_missing()) return outcome;
    if (!outcome) {
      state->with.presigned->missing_clear();
      return outcome;
    }
    state->needs_signatures = true;
    return errc::conflict;
  };
}

// Signs what the last run asked for; errors end the attempt.
result<void> presign_missing(const signing& with) {
  try {
    (void)with.presigned->presign(*with.signer);
    return {};
  } catch (const refusal& refused) {
    return refused.code;
  }
}

void submit(const std::shared_ptr<attempt>& state) {
  state->store.submit(one_run(state), [state](result<void> outcome) {
    if (!state->needs_signatures.exchange(false)) return state->done(outcome);
    if (++state->rounds >= signed_commit_max_rounds) return state->done(errc::conflict);
    state->post([state] {
      if (auto signed_now = presign_missing(state->with); !signed_now) return state->done(signed_now);
      submit(state);
    });
  });
}

}  // namespace

void signed_commit(store::store& store, signing with, signed_job work, off_writer post,
                   std::function<void(result<void>)> done) {
  submit(std::make_shared<attempt>(store, std::move(with), std::move(work), std::move(post), std::move(done)));
}

result<void> signed_commit_wait(store::store& store, const signing& with, const signed_job& work) {
  for (int round = 0; round < signed_commit_max_rounds; ++round) {
    auto state = std::make_shared<attempt>(store, with, work, off_writer{}, [](result<void>) {});
    std::promise<result<void>> finished;
    store.submit(one_run(state), [&finished](result<void> outcome) { finished.set_value(outcome); });
    auto outcome = finished.get_future().get();
    if (!state->needs_signatures) return outcome;
    if (auto signed_now = presign_missing(with); !signed_now) return signed_now;
  }
  return errc::conflict;
}

}  // namespace licensor::server
