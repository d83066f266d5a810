// Webhooks over HTTP: each send is a POST of the event's envelope, signed in the Standard
// Webhooks format (core/webhook_delivery.hpp), through outbound/http_client (all of a round's
// requests in flight at once).
#pragma once

#include <functional>

#include "jobs/delivery_transport.hpp"
#include "outbound/http_client.hpp"

namespace licensor::server {

class webhook_transport final : public delivery_transport {
 public:
  webhook_transport(outbound_options options, std::function<std::int64_t()> clock);

  [[nodiscard]] std::string_view name() const override { return "webhooks"; }
  [[nodiscard]] std::string_view metric_prefix() const override { return "licensor_webhook"; }
  [[nodiscard]] bool serves(const store::read_view& view, const webhook_endpoint_record& endpoint) const override;
  void prepare(const std::vector<const delivery_plan*>&, std::int64_t) override {}
  void send(const delivery_plan& plan, std::size_t chain, std::size_t index, on_result done) override;
  void run() override { client_.run(); }

 private:
  http_client client_;
  std::function<std::int64_t()> clock_;
};

}  // namespace licensor::server
