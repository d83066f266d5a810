#include "jobs/mail_transport.hpp"

#include "core/mail_compose.hpp"
#include "core/mail_templates.hpp"
#include "core/refusal.hpp"
#include "domain/mail_message.hpp"

namespace licensor::server {
namespace {

std::string domain_of(const std::string& address) {
  const auto at = address.rfind('@');
  return at == std::string::npos ? std::string("licensor.invalid") : address.substr(at + 1);
}

}  // namespace

mail_transport::mail_transport(store::store& store, smtp_options smtp, std::function<bool(const std::string&)> token_usable,
                               std::function<std::int64_t()> clock)
    : store_(store),
      client_(smtp),
      configured_(!smtp.url.empty()),
      token_usable_(std::move(token_usable)),
      clock_(std::move(clock)) {}

bool mail_transport::serves(const store::read_view& view, const webhook_endpoint_record& endpoint) const {
  return endpoint.channel == "mail" && configured_ && !must(view.mail_settings_get()).sender.empty();
}

void mail_transport::prepare(const std::vector<const delivery_plan*>& plans, std::int64_t now) {
  letters_.clear();
  must(store::submit_wait(store_, [&](store::write_view& write) {
    return refusal_caught([&] {
      const auto settings = must(write.mail_settings_get());
      for (const auto* plan : plans) {
        for (const auto& chain : plan->chains) {
          for (const auto& send : chain.sends) {
            auto& out = letters_[send.event.seq];
            try {
              const auto decided = mail_decide(write, settings, send.event, now, token_usable_);
              if (!decided.order) {
                out.skipped = decided.error.empty();
                out.error = decided.error;
                out.permanent = decided.permanent;
                continue;
              }
              const auto& order = *decided.order;
              const auto written = mail_letter_render(mail_template_in_force(write, order.template_name, order.language),
                                                      order.values, order.language);
              out.envelope = {settings.sender, order.to,
                              mail_message_format({settings.sender, settings.sender_name, settings.reply_to, order.to,
                                                   written.subject, order.language, written.text, written.html,
                                                   send.event.id + "." + order.template_name + "@" + domain_of(settings.sender),
                                                   now})};
            } catch (const refusal& refused) {
              if (refused.code != errc::internal) throw;  // a store error: the round fails
              out.error = refused.message.empty() ? std::string(errc_code(refused.code)) : refused.message;
            }
          }
        }
      }
    });
  }));
}

void mail_transport::send(const delivery_plan& plan, std::size_t chain, std::size_t index, on_result done) {
  const auto& event = plan.chains[chain].sends[index].event;
  const auto found = letters_.find(event.seq);
  if (found == letters_.end()) {
    delivery_result result;
    result.attempted = true;
    result.error = "the letter was not written";
    return done(result);
  }
  queued_.emplace_back(&found->second, std::move(done));
}

void mail_transport::run() {
  std::string server_failure;  // once the server fails, the rest of the round is not tried
  while (!queued_.empty()) {
    auto [written, done] = std::move(queued_.front());
    queued_.pop_front();
    delivery_result result;
    result.attempted = true;
    result.recipient = written->envelope.to;
    if (written->skipped) {
      result.skipped = true;
    } else if (!written->error.empty()) {
      result.error = written->error;
      result.permanent = written->permanent;
    } else if (!server_failure.empty()) {
      result.error = "not sent: the mail server failed earlier in this round (" + server_failure + ")";
    } else {
      const auto sent = client_.send(written->envelope);
      result.status = sent.code;
      result.latency_ms = sent.latency_ms;
      result.error = sent.error;
      result.permanent = sent.permanent;
      if (sent.server_failed) server_failure = sent.error;
    }
    done(result);
  }
}

}  // namespace licensor::server
