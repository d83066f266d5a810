// Campaigns on the test clock (core/campaigns.hpp): 10,000 free licenses (1,500 under the
// sanitizers), imported for titanium partners with every mix of the conditions ("registered
// correctly", "issued before", "seen on version 20 or later by a date"); the dry run's counts,
// in total and by partner, equal the test's own recount; the run, killed with SIGKILL halfway,
// resumes after a restart and extends each admitted license once (the audit shows one extension
// per license) and re-signs no other; a license fixed later is admitted by the next sweep until
// the campaign closes, and not after.
#include <ctime>
#include <map>
#include <set>
#include <thread>

#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

#ifdef LICENSOR_SANITIZED
constexpr std::size_t license_count = 1'500;
#else
constexpr std::size_t license_count = 10'000;
#endif
constexpr std::size_t per_partner = 150;  // a titanium partner's cap of free licenses

// One license as the test made it (by its number k), and so what the campaign must say of it.
struct planned {
  std::size_t k = 0;
  std::size_t partner = 0;
  bool nameless = false;     // its customer has no name
  bool late_domain = false;  // its email is in a domain its partner adds after the import
  bool issued_late = false;  // issued after the campaign's "issued before"
  int versions = 0;          // 0: seen on 20 or later in time; 1: on 19, then 20 too late; 2: never seen
  bool perpetual = false;
  std::string email;
  std::string id;
  std::string customer_id;
  std::string token;  // as it was before the run
  [[nodiscard]] bool registered() const { return !nameless && !late_domain; }
  [[nodiscard]] bool issued() const { return !issued_late; }
  [[nodiscard]] bool version() const { return versions == 0; }
  [[nodiscard]] bool admitted() const { return registered() && issued() && version(); }
};

struct counts {
  std::size_t candidates = 0, admitted = 0, registered = 0, issued = 0, version = 0;
  void add(const planned& license) {
    ++candidates;
    admitted += license.admitted();
    registered += license.registered();
    issued += license.issued();
    version += license.version();
  }
};

void check_tally(const json& tally, const counts& expected) {
  CHECK(tally.at("candidates") == expected.candidates);
  CHECK(tally.at("admitted") == expected.admitted);
  CHECK(tally.at("refused") == expected.candidates - expected.admitted);
  const auto& conditions = tally.at("conditions");
  CHECK(conditions.at("registered_correctly").at("admits") == expected.registered);
  CHECK(conditions.at("registered_correctly").at("refuses") == expected.candidates - expected.registered);
  CHECK(conditions.at("issued_before").at("admits") == expected.issued);
  CHECK(conditions.at("issued_before").at("refuses") == expected.candidates - expected.issued);
  CHECK(conditions.at("version_seen").at("admits") == expected.version);
  CHECK(conditions.at("version_seen").at("refuses") == expected.candidates - expected.version);
}

struct campaign_world {
  licensord_process server{{"--test-clock", "--event-retention", "365", "--compliance-deadline", "90",
                            "--campaign-batch", "10"}};
  https_client as_operator = server.operator_client();
  std::int64_t start = static_cast<std::int64_t>(std::time(nullptr));
  std::string tag = unique_suffix();
  std::string product;
  std::vector<partner_account> partners;
  std::vector<planned> licenses;

  campaign_world() {
    clock_set(start);
    product = product_create(as_operator);
  }
  void clock_set(std::int64_t time) {
    REQUIRE(as_operator.post("/v1/test/clock", {{"now", at(time)}}).status == 200);
  }
  std::string own_domain(std::size_t partner) const { return "own" + std::to_string(partner) + "-" + tag + ".example"; }
  std::string late_domain(std::size_t partner) const { return "late" + std::to_string(partner) + "-" + tag + ".example"; }

  // The partners, their licenses imported with their original dates, listed back.
  void import_all() {
    for (std::size_t k = 0; k < license_count; ++k) {
      planned license;
      license.k = k;
      license.partner = k / per_partner;
      license.nameless = k % 7 == 0;
      license.late_domain = k % 11 == 0;
      license.issued_late = k % 5 == 0;
      license.versions = static_cast<int>(k % 3);
      license.perpetual = k % 13 == 0;
      license.email = "c" + std::to_string(k) + "@" +
                      (license.late_domain ? late_domain(license.partner) : "customers-" + tag + ".example");
      licenses.push_back(license);
    }
    for (std::size_t p = 0; p * per_partner < license_count; ++p) {
      partners.push_back(partner_create(as_operator, partner_spec().with_level("titanium").with_domains({own_domain(p)})));
      json rows = json::array();
      for (std::size_t k = p * per_partner; k < std::min(license_count, (p + 1) * per_partner); ++k) {
        const auto& license = licenses[k];
        json row{{"external_id", "k" + std::to_string(k)}, {"email", license.email}, {"product", product},
                 {"issued_at", at(start - (license.issued_late ? 100 : 400) * day)}};
        if (!license.nameless) row["name"] = "Customer " + std::to_string(k);
        if (!license.perpetual) row["expires_at"] = at(start + 30 * day);
        rows.push_back(std::move(row));
      }
      auto as_partner = server.client(partners.back().api_key);
      const auto imported = as_partner.post("/v1/imports", {{"rows", rows}});
      REQUIRE_MESSAGE(imported.status == 200, imported.json.dump());
      REQUIRE(imported.json.at("imported") == rows.size());
      std::map<std::string, json> by_email;
      const auto listed = as_partner.get("/v1/licenses?limit=500");
      REQUIRE(listed.status == 200);
      for (const auto& item : listed.json.at("items")) by_email[item.at("email").get<std::string>()] = item;
      for (std::size_t k = p * per_partner; k < std::min(license_count, (p + 1) * per_partner); ++k) {
        const auto& item = by_email.at(licenses[k].email);
        licenses[k].id = item.at("id");
        licenses[k].customer_id = item.at("customer_id");
        licenses[k].token = item.at("token");
      }
    }
  }
  // Each partner adds the domain of some of its customers' emails.
  void domains_add() {
    for (std::size_t p = 0; p < partners.size(); ++p)
      REQUIRE(as_operator.patch("/v1/partners/" + partners[p].id, {{"email_domains", {own_domain(p), late_domain(p)}}}).status == 200);
  }
  // Validates, on four connections, each license `version_of` gives a version for.
  void validate_all(const std::function<std::string(const planned&)>& version_of) {
    constexpr std::size_t lanes = 4;
    std::vector<std::thread> threads;
    std::vector<std::size_t> failures(lanes, 0);
    for (std::size_t lane = 0; lane < lanes; ++lane)
      threads.emplace_back([&, lane] {
        auto client = server.client();
        for (std::size_t k = lane; k < licenses.size(); k += lanes) {
          const auto version = version_of(licenses[k]);
          if (version.empty()) continue;
          const auto checked = client.post("/v1/validate", {{"token", licenses[k].token}, {"app_version", version}});
          if (checked.status != 200 || checked.json.at("valid") != true) ++failures[lane];
        }
      });
    for (auto& thread : threads) thread.join();
    for (const auto failed : failures) REQUIRE(failed == 0);
  }
  json campaign(const std::string& id) {
    auto got = as_operator.get("/v1/campaigns/" + id);
    REQUIRE(got.status == 200);
    return got.json;
  }
  json license(const planned& license) {
    auto got = as_operator.get("/v1/licenses/" + license.id);
    REQUIRE(got.status == 200);
    return got.json;
  }
  json sweep() {
    auto swept = as_operator.post("/v1/compliance/sweep");
    REQUIRE(swept.status == 200);
    return swept.json;
  }
  // The first license of the plan that `wanted` picks, after `after`.
  const planned& first(const std::function<bool(const planned&)>& wanted, std::size_t after = 0) const {
    for (const auto& license : licenses)
      if (license.k >= after && wanted(license)) return license;
    throw std::runtime_error("no such license in the plan");
  }
};

}  // namespace

TEST_CASE("a campaign's dry run counts as the test does; its run survives SIGKILL and extends each license once") {
  campaign_world w;
  w.import_all();
  w.domains_add();
  // Day 0: versions 20.1 and 21 (in time) and 19; day 10: 20 for those on 19 (too late).
  w.validate_all([](const planned& l) { return l.versions == 0 ? (l.k % 2 == 0 ? "20.1" : "21") : l.versions == 1 ? "19" : ""; });
  w.clock_set(w.start + 10 * day);
  w.validate_all([](const planned& l) { return l.versions == 1 ? "20" : ""; });
  const auto late = w.license(w.first([](const planned& l) { return l.versions == 1; }));
  CHECK(late.at("app_versions_first_seen") ==
        json{{{"version", "19"}, {"first_seen_at", at(w.start)}}, {{"version", "20"}, {"first_seen_at", at(w.start + 10 * day)}}});

  const json definition{{"name", "Extension " + w.tag},
                        {"product", w.product},
                        {"extend_to", at(w.start + 400 * day)},
                        {"closes_at", at(w.start + 40 * day)},
                        {"conditions",
                         {{"registered_correctly", true},
                          {"issued_before", at(w.start - 200 * day)},
                          {"min_version_seen", "20"},
                          {"seen_by", at(w.start + 5 * day)}}}};
  const auto created = w.as_operator.post("/v1/campaigns", definition);
  REQUIRE_MESSAGE(created.status == 201, created.json.dump());
  CHECK(created.json.at("status") == "draft");
  const auto id = created.json.at("id").get<std::string>();

  // The dry run, against the test's own recount, in total and by partner.
  counts total;
  std::map<std::string, counts> by_partner;
  for (const auto& license : w.licenses) {
    total.add(license);
    by_partner[w.partners[license.partner].id].add(license);
  }
  REQUIRE(total.admitted > 0);
  REQUIRE(total.admitted < total.candidates);
  const auto report = w.as_operator.get("/v1/campaigns/" + id + "/dry-run");
  REQUIRE(report.status == 200);
  check_tally(report.json, total);
  CHECK(report.json.at("already_admitted") == 0);
  REQUIRE(report.json.at("by_partner").size() == by_partner.size());
  for (const auto& row : report.json.at("by_partner")) {
    INFO(row.at("partner_id"));
    check_tally(row, by_partner.at(row.at("partner_id").get<std::string>()));
  }
  CHECK(w.campaign(id).at("admitted") == 0);  // a dry run changes nothing

  // The run, killed halfway.
  const auto started = w.as_operator.post("/v1/campaigns/" + id + "/run");
  REQUIRE(started.status == 202);
  CHECK(started.json.at("status") == "running");
  CHECK_ERROR(w.as_operator.post("/v1/campaigns/" + id + "/run"), 409, "conflict");
  json progress;
  for (;;) {
    progress = w.campaign(id);
    if (progress.at("status") != "running" || progress.at("checked").get<std::size_t>() >= license_count / 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  w.server.kill();
  REQUIRE_MESSAGE(progress.at("status") == "running", "the run ended before it could be killed");
  REQUIRE(progress.at("checked").get<std::size_t>() < license_count);
  w.server.restart();
  w.as_operator = w.server.operator_client();
  w.clock_set(w.start + 10 * day);
  for (int waited = 0; w.campaign(id).at("status") == "running"; ++waited) {
    REQUIRE(waited < 3'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const auto finished = w.campaign(id);
  CHECK(finished.at("status") == "open");
  CHECK(finished.at("checked") == license_count);
  CHECK(finished.at("admitted") == total.admitted);

  // One extension per admitted license, none of the others; only the admitted are re-signed.
  std::map<std::string, int> extensions;
  for (const auto& entry : audit_entries(w.as_operator, "license.campaign_extend")) {
    CHECK(entry.at("details").at("campaign") == id);
    ++extensions[entry.at("target").get<std::string>()];
  }
  CHECK(extensions.size() == total.admitted);
  std::size_t checked_licenses = 0;
  for (std::size_t p = 0; p < w.partners.size(); ++p) {
    const auto listed = w.server.client(w.partners[p].api_key).get("/v1/licenses?limit=500");
    REQUIRE(listed.status == 200);
    std::map<std::string, json> by_id;
    for (const auto& item : listed.json.at("items")) by_id[item.at("id").get<std::string>()] = item;
    for (const auto& license : w.licenses) {
      if (license.partner != p) continue;
      const auto& now = by_id.at(license.id);
      INFO("license k=" << license.k);
      ++checked_licenses;
      if (license.admitted()) {
        CHECK(extensions[license.id] == 1);
        CHECK(now.at("campaigns") == json{id});
        CHECK(now.at("expires_at") == (license.perpetual ? json() : json(at(w.start + 400 * day))));
        CHECK(now.at("token") != license.token);
      } else {
        CHECK(extensions.count(license.id) == 0);
        CHECK(now.at("campaigns") == json::array());
        CHECK(now.at("expires_at") == (license.perpetual ? json() : json(at(w.start + 30 * day))));
        CHECK(now.at("token") == license.token);
      }
    }
  }
  CHECK(checked_licenses == license_count);
  const auto again = w.as_operator.get("/v1/campaigns/" + id + "/dry-run");
  REQUIRE(again.status == 200);
  CHECK(again.json.at("already_admitted") == total.admitted);

  // Day 11: a license whose only fault was its customer's missing name is fixed, and the next
  // sweep admits it. Day 41, the campaign closed: another such fix is not admitted.
  const auto is_nameless_only = [](const planned& l) { return l.nameless && !l.late_domain && l.issued() && l.version(); };
  const auto& fixed_in_time = w.first(is_nameless_only);
  const auto& fixed_late = w.first(is_nameless_only, fixed_in_time.k + 1);
  w.clock_set(w.start + 11 * day);
  REQUIRE(w.as_operator.patch("/v1/customers/" + fixed_in_time.customer_id, {{"name", "Fixed in time"}}).status == 200);
  CHECK(w.sweep().at("last").at("admitted") == 1);
  const auto admitted_later = w.license(fixed_in_time);
  CHECK(admitted_later.at("campaigns") == json{id});
  CHECK(admitted_later.at("expires_at") == (fixed_in_time.perpetual ? json() : json(at(w.start + 400 * day))));
  CHECK(w.campaign(id).at("admitted") == total.admitted + 1);

  w.clock_set(w.start + 41 * day);
  REQUIRE(w.as_operator.patch("/v1/customers/" + fixed_late.customer_id, {{"name", "Fixed too late"}}).status == 200);
  CHECK(w.sweep().at("last").at("admitted") == 0);
  CHECK(w.license(fixed_late).at("campaigns") == json::array());
  const auto closed = w.campaign(id);
  CHECK(closed.at("status") == "closed");
  CHECK(closed.at("admitted") == total.admitted + 1);
}

TEST_CASE("what a campaign refuses, and who may define and run one") {
  licensord_process server;
  auto as_operator = server.operator_client();
  const auto product = product_create(as_operator);
  const auto partner = partner_create(as_operator, partner_spec().with_level("gold"));
  auto as_partner = server.client(partner.api_key);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const json definition{{"name", "Spring"}, {"product", product}, {"extend_to", at(now + 400 * day)},
                        {"closes_at", at(now + 40 * day)}};
  const auto with = [&](const std::string& field, const json& value) {
    auto changed = definition;
    changed[field] = value;
    return changed;
  };

  CHECK_ERROR(as_operator.post("/v1/campaigns", json::object()), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("product", "no-such-product")), 404, "product_not_found");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("extend_to", at(now - day))), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("closes_at", "tomorrow")), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("name", "")), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("colour", "red")), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("conditions", {{"min_version_seen", "v20"}})), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("conditions", {{"seen_by", at(now)}})), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("conditions", {{"upgraded", true}})), 400, "bad_request");
  CHECK_ERROR(as_operator.post("/v1/campaigns", with("conditions", "all")), 400, "bad_request");
  CHECK_ERROR(as_operator.get("/v1/campaigns/cmp_nothing"), 404, "not_found");
  CHECK_ERROR(as_operator.get("/v1/campaigns/cmp_nothing/dry-run"), 404, "not_found");
  CHECK_ERROR(as_operator.post("/v1/campaigns/cmp_nothing/run"), 404, "not_found");

  const auto created = as_operator.post("/v1/campaigns", definition);
  REQUIRE(created.status == 201);
  const auto id = created.json.at("id").get<std::string>();
  CHECK(created.json.at("conditions") ==
        json{{"registered_correctly", true}, {"issued_before", nullptr}, {"min_version_seen", nullptr}, {"seen_by", nullptr}});
  CHECK(as_operator.get("/v1/campaigns").json.at("items").size() == 1);
  const auto empty = as_operator.get("/v1/campaigns/" + id + "/dry-run");
  REQUIRE(empty.status == 200);
  CHECK(empty.json.at("candidates") == 0);
  CHECK(empty.json.at("by_partner") == json::array());
  CHECK(audit_entries(as_operator, "campaign.create").size() == 1);

  CHECK(as_partner.get("/v1/campaigns").status == 403);
  CHECK(as_partner.post("/v1/campaigns", definition).status == 403);
  CHECK(as_partner.post("/v1/campaigns/" + id + "/run").status == 403);
  CHECK(server.client().get("/v1/campaigns").status == 401);
  CHECK(as_operator.get("/v1/health").status == 200);  // and the server still serves
}
