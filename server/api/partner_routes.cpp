// Operators manage partners (their API keys: api/api_key_routes.cpp); partners read their usage.
#include "api/body_reader.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "core/views.hpp"
#include "core/ids.hpp"
#include "core/mail_templates.hpp"
#include "core/partners.hpp"
#include "licensor/email.hpp"

namespace licensor::server {
namespace {

std::vector<std::string> domains_normalise(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& domain : raw) {
    // A domain is valid exactly when "x@domain" is a valid email.
    auto probe = email_normalise("x@" + domain);
    if (!probe) refuse(errc::bad_request, "'" + domain + "' is not a valid domain");
    out.emplace_back(email_domain(*probe));
  }
  return out;
}


const std::initializer_list<std::string_view> partner_fields{
    "name", "level", "email_domains", "can_issue", "discount_percent", "notification_email", "language", "deliver_at_issuance"};

// The optional fields of a create or update body, checked for form.
partner_changes partner_changes_parse(const service& svc, const body_reader& body) {
  partner_changes changes;
  changes.name = body.optional_string("name");
  if ((changes.level = body.optional_string("level")) && !svc.config().caps.cap_for(*changes.level))
    refuse(errc::bad_request, "unknown level '" + *changes.level + "'");
  if (auto domains = body.optional_strings("email_domains")) changes.email_domains = domains_normalise(*domains);
  changes.can_issue = body.optional_bool("can_issue");
  if (auto discount = body.optional_integer("discount_percent", 0, 100)) changes.discount_percent = static_cast<int>(*discount);
  if (auto address = body.optional_string("notification_email")) {
    if (address->empty()) {
      changes.notification_email = "";
    } else {
      auto normalised = email_normalise(*address);
      if (!normalised) refuse(errc::bad_request, "field 'notification_email' must be an email address");
      changes.notification_email = *normalised;
    }
  }
  if ((changes.language = body.optional_string("language")) && mail_language_or_default(*changes.language) != *changes.language)
    refuse(errc::bad_request, "field 'language' must be one of en, es, it");
  changes.deliver_at_issuance = body.optional_bool("deliver_at_issuance");
  return changes;
}

}  // namespace

void partner_create(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, partner_fields);
  partner_record partner;
  partner.id = id_generate("par_");
  partner.name = body.string("name");
  partner.created_at = svc.now();
  partner_changes_apply(partner, partner_changes_parse(svc, body));
  svc.commit(call, [who = call.who, partner, now = svc.now()](store::write_view& write, const signing&) {
    partner_create(write, who, partner, now);
    return answer(partner_view(partner), 201);
  }, std::move(respond));
}

void partner_list(service& svc, api_call& call, responder respond) {
  respond(page_answer(must(svc.read()->partners_list(page_of(call))), partner_view));
}

void partner_get(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto partner = found(snapshot->partner_get(call.params[0]), errc::partner_not_found);
  auto view = partner_view(partner);
  view["usage"] = usage_view(partner_usage_of(*snapshot, partner, svc.config().caps, svc.now()));
  respond(answer(std::move(view)));
}

void partner_update(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, partner_fields);
  svc.commit(call, [who = call.who, id = call.params[0], changes = partner_changes_parse(svc, body), now = svc.now()](
                       store::write_view& write, const signing&) {
    return answer(partner_view(partner_update(write, who, id, changes, now)));
  }, std::move(respond));
}

void usage_get(service& svc, api_call& call, responder respond) {
  auto partner_id = listing_partner(call);
  if (partner_id.empty()) refuse(errc::bad_request, "query 'partner_id' is required for operators");
  const auto snapshot = svc.read();
  const auto partner = found(snapshot->partner_get(partner_id), errc::partner_not_found);
  auto view = usage_view(partner_usage_of(*snapshot, partner, svc.config().caps, svc.now()));
  view["partner_id"] = partner.id;
  view["level"] = partner.level;
  respond(answer(std::move(view)));
}

void partner_enabling_request(service& svc, api_call& call, responder respond) {
  const body_reader body(call.body, {"message"});
  const auto message = body.optional_string("message").value_or("");
  if (message.size() > 2'000) refuse(errc::bad_request, "field 'message' is longer than 2000 characters");
  svc.commit(call, [who = call.who, message, now = svc.now()](store::write_view& write, const signing&) {
    const auto partner = partner_enabling_request(write, who, message, now);
    return answer(partner_view(partner), partner.can_issue ? 200 : 202);
  }, std::move(respond));
}

// The partners whose request to be enabled waits for an operator.
void enabling_request_list(service& svc, api_call& call, responder respond) {
  const auto snapshot = svc.read();
  const auto read = [&](const store::page_request& page) { return must(snapshot->partners_list(page)); };
  const auto pending = [](const partner_record& partner) { return partner.enabling_status == "pending"; };
  respond(page_answer(page_filtered<partner_record>(page_of(call), read, pending), partner_view));
}

void enabling_request_decide(service& svc, api_call& call, responder respond, bool approve) {
  const body_reader body(call.body, {"reply"});
  const auto reply = body.optional_string("reply").value_or("");
  if (reply.size() > 2'000) refuse(errc::bad_request, "field 'reply' is longer than 2000 characters");
  svc.commit(call, [who = call.who, id = call.params[0], approve, reply, now = svc.now()](store::write_view& write,
                                                                                         const signing&) {
    return answer(partner_view(partner_enabling_decide(write, who, id, approve, reply, now)));
  }, std::move(respond));
}

void enabling_request_approve(service& svc, api_call& call, responder respond) {
  enabling_request_decide(svc, call, std::move(respond), true);
}

void enabling_request_refuse(service& svc, api_call& call, responder respond) {
  enabling_request_decide(svc, call, std::move(respond), false);
}

}  // namespace licensor::server
