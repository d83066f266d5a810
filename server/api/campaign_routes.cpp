// Campaigns (core/campaigns.hpp): operators define one, count what it would admit, run it, and
// follow its progress.
#include "api/body_reader.hpp"
#include "api/routes.hpp"
#include "core/campaigns.hpp"

namespace licensor::server {
namespace {

// {"name", "product", "extend_to", "closes_at", "conditions": {"registered_correctly",
// "issued_before", "min_version_seen", "seen_by"}}
campaign_definition definition_parse(const nlohmann::json& body) {
  const body_reader reader(body, {"name", "product", "extend_to", "closes_at", "conditions"});
  campaign_definition definition;
  definition.name = reader.string("name");
  if (definition.name.empty() || definition.name.size() > 200) refuse(errc::bad_request, "field 'name' must be 1-200 characters");
  definition.product = reader.string("product");
  const auto required_time = [&](std::string_view name) {
    const auto at = reader.optional_time(name);
    if (!at) refuse(errc::bad_request, "field '" + std::string(name) + "' is required");
    return *at;
  };
  definition.extend_to = required_time("extend_to");
  definition.closes_at = required_time("closes_at");
  if (const auto* conditions = reader.optional_object("conditions")) {
    const body_reader asked(*conditions, {"registered_correctly", "issued_before", "min_version_seen", "seen_by"});
    auto& out = definition.conditions;
    out.registered_correctly = asked.optional_bool("registered_correctly").value_or(true);
    out.issued_before = asked.optional_time("issued_before").value_or(0);
    out.min_version_seen = asked.optional_app_version("min_version_seen").value_or("");
    out.seen_by = asked.optional_time("seen_by").value_or(0);
  }
  return definition;
}

}  // namespace

void campaign_create(service& svc, api_call& call, responder respond) {
  svc.commit(call, [who = call.who, definition = definition_parse(call.body), now = svc.now()](
                       store::write_view& write, const signing&) {
    return answer(campaign_view(campaign_create(write, who, definition, now), now), 201);
  }, std::move(respond));
}

void campaign_list(service& svc, api_call&, responder respond) {
  auto items = nlohmann::json::array();
  for (const auto& campaign : must(svc.read()->campaigns_list())) items.push_back(campaign_view(campaign, svc.now()));
  respond(answer({{"items", std::move(items)}}));
}

void campaign_get(service& svc, api_call& call, responder respond) {
  respond(answer(campaign_view(campaign_find(*svc.read(), call.params[0]), svc.now())));
}

// Reads every license: on the thread of long reads, never on a request thread.
void campaign_dry_run(service& svc, api_call& call, responder respond) {
  svc.long_read_post([&svc, id = call.params[0], respond = std::move(respond)] {
    try {
      const auto snapshot = svc.read();
      const auto now = svc.now();
      const auto campaign = campaign_find(*snapshot, id);
      respond(answer(campaign_report_view(campaign, campaign_dry_run(*snapshot, id, now), now)));
    } catch (const refusal& refused) {
      respond(error_response(refused));
    }
  });
}

// Starts the run; the campaigns job does it batch by batch (GET the campaign for its progress).
void campaign_run(service& svc, api_call& call, responder respond) {
  (void)body_reader(call.body, {});
  svc.commit(call, [who = call.who, id = call.params[0], now = svc.now()](store::write_view& write, const signing&) {
    return answer(campaign_view(campaign_start(write, who, id, now), now), 202);
  }, [&svc, respond = std::move(respond)](api_response started) mutable {
    if (started.status < 300) svc.jobs_run_now([](std::size_t) {});
    respond(std::move(started));
  });
}

}  // namespace licensor::server
