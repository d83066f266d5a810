#include "api/service.hpp"

#include <chrono>
#include <cstdio>

#include "api/idempotency.hpp"
#include "core/audit.hpp"
#include "core/signed_commit.hpp"

namespace licensor::server {
namespace {

void log_failure(const char* what, errc code) {
  std::fprintf(stderr, "licensord: %s: %s\n", what, std::string(errc_code(code)).c_str());
}

}  // namespace

service::service(service_config config, std::unique_ptr<store::store> store)
    : config_(std::move(config)),
      limiters_(config_.limits),
      replica_(config_.replica_id),
      keyring_(config_.key_dir, config_.key_options, config_.retired_secret_grace_seconds, config_.share_keys),
      store_(std::move(store)),
      presigner_("signer"),
      long_reads_(std::make_unique<task_thread>("long-reads")) {}

service::~service() {
  long_reads_.reset();  // a backup or dry run in progress finishes first
  store_.reset();          // runs what is queued, then syncs
}

result<std::unique_ptr<service>> service::create(service_config config, std::unique_ptr<store::store> store) {
  std::unique_ptr<service> out(new service(std::move(config), std::move(store)));
  if (auto loaded = out->keyring_.reload(); !loaded) return loaded.error();
  if (auto baseline = out->keyring_.audit_baseline(*out->store_); !baseline) return baseline.error();
  out->metrics_collectors_add();
  return out;
}

std::unique_ptr<store::read_view> service::read() const { return must(store_->read()); }

void service::commit(const api_call& call, change work, responder respond) {
  commit(call, signing_now(), std::move(work), std::move(respond));
}

void service::commit(const api_call& call, signing with, change work, responder respond) {
  auto scope = idempotency_scope_of(call);
  auto outcome = std::make_shared<api_response>();
  const auto now = this->now();
  signed_job job = [work = std::move(work), outcome, scope = std::move(scope), now,
                    ttl = config_.idempotency_ttl_seconds](store::write_view& write, const signing& with) -> result<void> {
    try {
      if (scope) {
        if (auto first = idempotency_replay(write, *scope, now, ttl)) {
          *outcome = std::move(*first);
          return {};  // a replay: the first answer, and no change
        }
      }
      *outcome = work(write, with);
      if (scope) idempotency_record(write, *scope, *outcome, now, ttl);
      return {};
    } catch (const refusal& error) {
      *outcome = error_response(error);
      return error.code;
    }
  };
  signed_commit(*store_, std::move(with), std::move(job), [this](std::function<void()> task) { presigner_.post(std::move(task)); },
                [outcome, respond = std::move(respond)](result<void> committed) {
                  // A job that failed already wrote its error into `outcome`; a failed commit did not.
                  if (!committed && outcome->status < 400) *outcome = error_response(committed.error());
                  respond(std::move(*outcome));
                });
}

void service::preview(change work, responder respond) {
  auto outcome = std::make_shared<api_response>();
  signed_job job = [work = std::move(work), outcome](store::write_view& write, const signing& with) -> result<void> {
    try {
      *outcome = work(write, with);
    } catch (const refusal& error) {
      *outcome = error_response(error);
      return error.code;
    }
    return errc::conflict;  // never kept: an answered job that fails is rolled back whole
  };
  signed_commit(*store_, signing_now(), std::move(job), [this](std::function<void()> task) { presigner_.post(std::move(task)); },
                [outcome, respond = std::move(respond)](result<void>) { respond(std::move(*outcome)); });
}

std::optional<api_response> service::replay_of(const api_call& call) const {
  const auto scope = idempotency_scope_of(call);
  if (!scope) return std::nullopt;
  return idempotency_replay(*read(), *scope, now(), config_.idempotency_ttl_seconds);
}

void service::audit_record(caller who, std::string action, std::string target, nlohmann::json details) {
  store_->submit([who = std::move(who), action = std::move(action), target = std::move(target),
                  details = std::move(details), now = now()](store::write_view& write) {
    return refusal_caught([&] { audit_append(write, who, action, target, now, details); });
  }, [](result<void> committed) {
    if (!committed) log_failure("an audit entry could not be written", committed.error());
  });
}

void service::jobs_run_now(std::function<void(std::size_t)> done) {
  if (!jobs_trigger_) return done(0);
  jobs_trigger_(std::move(done));
}

std::int64_t service::now() const {
  if (const auto fixed = clock_override_.load(); fixed != 0) return fixed;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void service::clock_set(std::int64_t now) { clock_override_.store(now); }

}  // namespace licensor::server
