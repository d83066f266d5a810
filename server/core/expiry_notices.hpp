// The expiry sweep: events that time alone causes. As the clock passes a license's warning
// points it writes "license.expiring" (N days before, for each N of `warn_days`: 30, 7 and 1 by
// default), "subscription.trial_ending" (7 days before a trial ends) and "license.expired" (once
// the expiry has passed; subscriptions have their own "subscription.expired", written by the
// renewal job). Each is written once per expiry date: a license whose expiry moves (a renewal,
// a correction) is warned again for its new date. Only active licenses are warned.
//
// The sweep keeps where it stands in the store's expiry index, one position per kind of notice,
// moved in the same write as the events it wrote. A first run starts from now: it does not
// announce what expired in the past, beyond `expired_grace_seconds` (a server that was down
// for a while still announces what expired meanwhile).
#pragma once

#include <cstdint>
#include <vector>

#include "store/store.hpp"

namespace licensor::server {

struct expiry_sweep_settings {
  std::vector<int> warn_days{30, 7, 1};
  int trial_warn_days = 7;
  std::int64_t expired_grace_seconds = 7 * 86'400;
};

/// What one pass wrote, and whether it stopped at `limit` with more to do.
struct expiry_sweep_outcome {
  std::size_t events = 0;
  bool more = false;
};

/// One pass at `now`, reading at most `limit` index entries per kind of notice. Throws refusal
/// on store errors.
[[nodiscard]] expiry_sweep_outcome expiry_sweep_apply(store::write_view& write, const expiry_sweep_settings& settings,
                                                      std::int64_t now, std::size_t limit);

}  // namespace licensor::server
