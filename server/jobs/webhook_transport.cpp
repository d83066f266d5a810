#include "jobs/webhook_transport.hpp"

namespace licensor::server {

webhook_transport::webhook_transport(outbound_options options, std::function<std::int64_t()> clock)
    : client_(std::move(options)), clock_(std::move(clock)) {}

bool webhook_transport::serves(const store::read_view&, const webhook_endpoint_record& endpoint) const { return endpoint.channel == "webhook"; }

void webhook_transport::send(const delivery_plan& plan, std::size_t chain, std::size_t index, on_result done) {
  // Signed when it leaves, so that the timestamp is the sending time, also for a retry.
  const auto message = delivery_message_make(plan.endpoint, plan.chains[chain].sends[index].event, clock_());
  client_.post({plan.endpoint.url, message.headers, message.body}, [done = std::move(done)](const outbound_response& answer) {
    delivery_result result;
    result.attempted = true;
    result.status = answer.status;
    result.latency_ms = answer.latency_ms;
    result.error = answer.error;
    result.retry_after = answer.retry_after;
    done(result);
  });
}

}  // namespace licensor::server
