// How a delivery job (jobs/delivery_job.hpp) sends: webhooks over HTTP (jobs/webhook_transport.hpp),
// mail over SMTP (jobs/mail_transport.hpp). The job plans, orders and records; a transport only
// turns one planned send into an attempt and says what came of it.
//
// Thread safety: a transport is used by its job's thread alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "core/webhook_delivery.hpp"
#include "domain/records.hpp"
#include "store/store.hpp"

namespace licensor::server {

class delivery_transport {
 public:
  virtual ~delivery_transport() = default;

  /// The job's name, in health ("webhooks", "mail").
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// The prefix of its metrics ("licensor_webhook": licensor_webhook_attempts_total, ...).
  [[nodiscard]] virtual std::string_view metric_prefix() const = 0;
  /// Whether this transport delivers `endpoint`'s events now (mail: once a server and a sender
  /// are configured; until then its events wait).
  [[nodiscard]] virtual bool serves(const store::read_view& view, const webhook_endpoint_record& endpoint) const = 0;
  /// Readies a round's sends before any goes out (mail composes its messages here). Throws
  /// refusal on store errors.
  virtual void prepare(const std::vector<const delivery_plan*>& plans, std::int64_t now) = 0;
  using on_result = std::function<void(const delivery_result&)>;
  /// Queues send `index` of chain `chain` of `plan`; `done` runs inside run(), and may queue more.
  virtual void send(const delivery_plan& plan, std::size_t chain, std::size_t index, on_result done) = 0;
  /// Sends everything queued, and what is queued meanwhile; returns when all have a result.
  virtual void run() = 0;
};

}  // namespace licensor::server
