// Mail over SMTP: before a round's letters go out, one store job decides each event's letter
// (core/mail_compose.hpp), minting the tokens letters carry, and renders it from the template in
// force (core/mail_templates.hpp) into a message (domain/mail_message.hpp); then the letters go
// out one after another on one SMTP connection (outbound/smtp_client.hpp). When the server
// cannot be reached, the rest of the round is not tried: each such letter fails at once with
// the same error, and retries on its schedule.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "jobs/delivery_transport.hpp"
#include "outbound/smtp_client.hpp"
#include "store/store.hpp"

namespace licensor::server {

class mail_transport final : public delivery_transport {
 public:
  /// `token_usable(kid)`: whether a license token signed by `kid` may be handed out.
  mail_transport(store::store& store, smtp_options smtp, std::function<bool(const std::string&)> token_usable,
                 std::function<std::int64_t()> clock);

  [[nodiscard]] std::string_view name() const override { return "mail"; }
  [[nodiscard]] std::string_view metric_prefix() const override { return "licensor_mail"; }
  [[nodiscard]] bool serves(const store::read_view& view, const webhook_endpoint_record& endpoint) const override;
  void prepare(const std::vector<const delivery_plan*>& plans, std::int64_t now) override;
  void send(const delivery_plan& plan, std::size_t chain, std::size_t index, on_result done) override;
  void run() override;

 private:
  struct letter {
    bool skipped = false;
    std::string error;
    bool permanent = false;
    smtp_envelope envelope;
  };
  store::store& store_;
  smtp_client client_;
  bool configured_;
  std::function<bool(const std::string&)> token_usable_;
  std::function<std::int64_t()> clock_;
  std::map<std::uint64_t, letter> letters_;  ///< this round's, by event seq
  std::deque<std::pair<const letter*, on_result>> queued_;
};

}  // namespace licensor::server
