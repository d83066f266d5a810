// CSV exports of the listings (GET /v1/exports/licenses, /v1/exports/customers, /v1/exports/ledger):
// the same filters as the listings (api/list_filters.hpp), every matching record rather than a page, read on the
// thread of long reads. One answer holds about rows_max rows (whole store pages); when more
// match, the X-Next-Cursor header gives the `after` of the next answer.
#include <functional>

#include "api/csv.hpp"
#include "api/list_filters.hpp"
#include "api/paging.hpp"
#include "api/routes.hpp"
#include "api/scope.hpp"
#include "core/license_reach.hpp"
#include "core/views.hpp"
#include "licensor/rfc3339.hpp"
#include "subscription/records.hpp"

namespace licensor::server {
namespace {

constexpr std::size_t rows_max = 100'000;
constexpr std::size_t page_rows = 1'000;

std::string time_text(std::int64_t at) { return at == 0 ? std::string() : rfc3339_format(at); }

// Reads pages through `read` from `after`, keeps what `keep` accepts (every record when it is
// empty), writes each as `row`.
template <class Record, class Read, class Row>
api_response csv_export(Read read, const std::function<bool(const Record&)>& keep, std::string after,
                        const std::vector<std::string>& header, Row row, std::string_view file_name) {
  std::string body = csv_record(header);
  std::size_t rows = 0;
  do {
    const store::page<Record> got = read(store::page_request{page_rows, after});
    for (const auto& item : got.items) {
      if (keep && !keep(item)) continue;
      body += csv_record(row(item));
      ++rows;
    }
    after = got.next;
  } while (!after.empty() && rows < rows_max);
  api_response response;
  response.content_type = "text/csv; charset=utf-8";
  response.raw_body = std::move(body);
  response.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + std::string(file_name) + "\"");
  if (!after.empty()) response.headers.emplace_back("X-Next-Cursor", after);
  return response;
}

std::vector<std::string> license_row(const license_record& l) {
  return {l.id, l.partner_id, l.customer_id, l.email, l.product, l.tier, std::string(license_kind_name(l.kind)),
          std::string(license_status_name(l.status)), std::to_string(l.seats), time_text(l.issued_at),
          time_text(l.expires_at), l.activation_key, l.app_version_seen};
}

std::vector<std::string> customer_row(const customer_record& c) {
  return {c.id, c.partner_id, c.email, c.name, c.vat_number, time_text(c.created_at), c.self_service ? "yes" : "no",
          c.manages_own_notifications ? "yes" : "no"};
}

std::vector<std::string> ledger_row(const subscription::ledger_entry& e) {
  return {std::to_string(e.seq), time_text(e.at), e.license_id, e.type, e.reason, std::to_string(e.amount), e.currency,
          e.tier, std::to_string(e.seats), time_text(e.period_start), time_text(e.period_end),
          std::to_string(e.discount_percent), e.by};
}

std::string after_of(const api_call& call) {
  const auto it = call.query.find("after");
  return it == call.query.end() ? std::string() : it->second;
}

}  // namespace

void license_export(service& svc, api_call& call, responder respond) {
  auto filter = license_filter_of(call).value_or(license_filter());  // a bad filter is refused here, on the request thread
  const std::vector<std::string> header{"id", "partner_id", "customer_id", "email", "product", "tier", "kind", "status",
                                        "seats", "issued_at", "expires_at", "activation_key", "app_version_seen"};
  if (call.who.kind == caller_kind::customer) {
    // A customer's few licenses: one page.
    const store::page<license_record> own{licenses_of_customer_person(*svc.read(), call.who), {}};
    return respond(csv_export<license_record>([&](const store::page_request&) { return own; }, filter, {}, header,
                                              license_row, "licenses.csv"));
  }
  svc.long_read_post([&svc, query = call.query, partner = listing_partner(call), after = after_of(call), filter = std::move(filter), header,
                      respond = std::move(respond)] {
    try {
      const auto snapshot = svc.read();
      const auto read = license_pages_of(query, *snapshot, partner);
      respond(csv_export<license_record>(read, filter, after, header, license_row, "licenses.csv"));
    } catch (const refusal& refused) {
      respond(error_response(refused));
    }
  });
}

void customer_export(service& svc, api_call& call, responder respond) {
  svc.long_read_post([&svc, query = call.query, partner = listing_partner(call), after = after_of(call),
                      respond = std::move(respond)] {
    try {
      const auto snapshot = svc.read();
      const auto read = customer_pages_of(query, *snapshot, partner);
      respond(csv_export<customer_record>(read, {}, after,
                                          {"id", "partner_id", "email", "name", "vat_number", "created_at", "self_service",
                                           "manages_own_notifications"},
                                          customer_row, "customers.csv"));
    } catch (const refusal& refused) {
      respond(error_response(refused));
    }
  });
}

void ledger_export(service& svc, api_call& call, responder respond) {
  const auto partner = listing_partner(call);
  if (partner.empty()) refuse(errc::bad_request, "query 'partner_id' is required for operators");
  svc.long_read_post([&svc, partner, period = ledger_period_of(call), after = after_of(call), respond = std::move(respond)] {
    try {
      const auto snapshot = svc.read();
      const auto read = [&](const store::page_request& page) { return must(snapshot->partner_ledger(partner, period, page)); };
      respond(csv_export<subscription::ledger_entry>(
          read, {}, after,
          {"seq", "at", "license_id", "type", "reason", "amount_minor", "currency", "tier", "seats", "period_start",
           "period_end", "discount_percent", "by"},
          ledger_row, "ledger.csv"));
    } catch (const refusal& refused) {
      respond(error_response(refused));
    }
  });
}

}  // namespace licensor::server
