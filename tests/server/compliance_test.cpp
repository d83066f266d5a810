// The compliance sweep on the test clock (core/compliance.hpp): a partner's free licenses with
// each kind of mis-registration the API can make (a customer with no name, an email in a domain
// the partner added after issue, an app seen only on version 19 once version 20 is required
// from a date) are swept; each finding is right and nothing correct is flagged; flagged tokens
// verify offline with the notices and an expiry at the deadline; two licenses fixed in time
// return to their normal expiry; the rest expire at the deadline and give their slots back.
// Two free licenses of one customer cannot be made through the API: that case is a store
// written before the rule (the second license put in with the store library while licensord is
// stopped), then swept by licensord.
#include <ctime>
#include <fstream>
#include <set>

#include "licensor/rfc3339.hpp"
#include "licensor/verifier.hpp"
#include "server_test.hpp"
#include "store/lmdb/lmdb_store.hpp"
#include "store/pg/pg_store.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

std::int64_t time_of(const json& value) { return *licensor::rfc3339_parse(value.get<std::string>()); }

struct programme {
  licensord_process server{{"--test-clock", "--event-retention", "365"}};  // the clock moves a month
  https_client as_operator = server.operator_client();
  https_client anyone = server.client();
  std::int64_t start = static_cast<std::int64_t>(std::time(nullptr));
  std::string product;
  partner_account partner;
  https_client as_partner = server.client("");

  programme() {
    connect();
    clock_set(start);
    product = product_create(as_operator);
    partner = partner_create(as_operator, partner_spec().with_level("silver").with_domains({"partner.example"}));
    as_partner = server.client(partner.api_key);
  }
  // New clients, after a restart (the port may change).
  void connect() {
    as_operator = server.operator_client();
    anyone = server.client();
    if (!partner.api_key.empty()) as_partner = server.client(partner.api_key);
  }
  void clock_set(std::int64_t at) {
    REQUIRE(as_operator.post("/v1/test/clock", {{"now", licensor::rfc3339_format(at)}}).status == 200);
  }
  json customer(const std::string& email, const std::string& name) {
    json body{{"email", email}};
    if (!name.empty()) body["name"] = name;
    auto created = as_partner.post("/v1/customers", body);
    REQUIRE(created.status == 201);
    return created.json;
  }
  // A free license of a new customer, validated once by an app of `version`.
  json free_license(const std::string& email, const std::string& name, const std::string& version) {
    const auto owner = customer(email, name);
    const auto license = license_issue(as_partner, {owner.at("id").get<std::string>(), product, "free"});
    const auto checked = anyone.post("/v1/validate", {{"token", license.at("token")}, {"app_version", version}});
    REQUIRE(checked.status == 200);
    REQUIRE(checked.json.at("valid") == true);
    return license;
  }
  json license(const json& issued) {
    auto got = as_partner.get("/v1/licenses/" + issued.at("id").get<std::string>());
    REQUIRE(got.status == 200);
    return got.json;
  }
  json sweep() {
    auto swept = as_operator.post("/v1/compliance/sweep");
    REQUIRE(swept.status == 200);
    CHECK(swept.json.at("running") == false);
    return swept.json;
  }
  std::set<std::string> listed(const std::string& query) {
    auto page = as_partner.get("/v1/licenses?limit=500&" + query);
    REQUIRE(page.status == 200);
    std::set<std::string> ids;
    for (const auto& item : page.json.at("items")) ids.insert(item.at("id").get<std::string>());
    return ids;
  }
  // Verifies `token` offline, as an app does, at `now`.
  licensor::verify_outcome offline(const std::string& token, const std::string& email, std::int64_t now) {
    auto pinned = licensor::pinned_root_parse(first_line(server.data_dir() / "keys" / "root.public"));
    REQUIRE(pinned.ok());
    licensor::license_verifier verifier({*pinned});
    std::uint64_t highest_seen = 0;
    const auto keyring = anyone.get("/v1/keyring");
    REQUIRE(verifier.load_keyring(keyring.json.at("token").get<std::string>(), highest_seen) == licensor::verify_status::valid);
    licensor::verify_context context;
    context.now = now;
    context.product = product;
    context.expected_email = email;
    licensor::unix_seconds last_trusted = 0;
    return verifier.verify(token, context, last_trusted);
  }
  std::vector<std::string> event_types_of(const std::string& license_id) {
    std::vector<std::string> types;
    std::uint64_t after = 0;
    for (;;) {
      auto page = as_operator.get("/v1/events?limit=500&after=" + std::to_string(after));
      REQUIRE(page.status == 200);
      for (const auto& event : page.json.at("items"))
        if (event.at("subject") == "license:" + license_id) types.push_back(event.at("type").get<std::string>());
      if (page.json.at("items").empty()) return types;
      after = page.json.at("items").back().at("seq").get<std::uint64_t>();
    }
  }
};

using rules = std::vector<std::string>;

}  // namespace

TEST_CASE("a sweep flags each kind of mis-registration, fixes clear, the rest expire at the deadline") {
  programme p;
  const auto tag = unique_suffix();
  const auto correct = p.free_license("correct-" + tag + "@customer.example", "Correct Ltd", "20.1");
  const auto nameless = p.free_license("nameless-" + tag + "@customer.example", "", "20");
  const auto late_domain = p.free_license("buyer-" + tag + "@late.example", "Late Ltd", "21");
  const auto old_app = p.free_license("old-" + tag + "@customer.example", "Old App Ltd", "19.4");
  REQUIRE(free_used(p.as_partner) == 4);

  // After issue: the partner registers a domain of one customer's; version 20 is required from day 1.
  REQUIRE(p.as_operator.patch("/v1/partners/" + p.partner.id, {{"email_domains", {"partner.example", "late.example"}}}).status == 200);
  const auto patched = p.as_operator.patch("/v1/products/" + p.product,
                                           {{"min_version", {{"free", "20"}}},
                                            {"min_version_from", {{"free", licensor::rfc3339_format(p.start + day)}}}});
  REQUIRE(patched.status == 200);
  CHECK(patched.json.at("min_version_from").at("free") == licensor::rfc3339_format(p.start + day));

  // Day 0: the version rule is not in force yet.
  auto swept = p.sweep();
  CHECK(swept.at("last").at("flagged") == 2);
  CHECK(p.license(correct).at("compliance").is_null());
  CHECK(p.license(old_app).at("compliance").is_null());
  CHECK(p.license(old_app).at("app_version_seen") == "19.4");
  const auto nameless_flagged = p.license(nameless);
  CHECK(nameless_flagged.at("compliance").at("rules") == json{"customer_name_missing"});
  CHECK(time_of(nameless_flagged.at("compliance").at("deadline")) == p.start + 30 * day);
  CHECK(p.license(late_domain).at("compliance").at("rules") == json{"email_in_partner_domain"});

  // Day 2: it is.
  p.clock_set(p.start + 2 * day);
  swept = p.sweep();
  CHECK(swept.at("last").at("checked") == 4);
  CHECK(swept.at("last").at("flagged") == 1);
  CHECK(p.license(old_app).at("compliance").at("rules") == json{"app_version_below_minimum"});
  CHECK(p.license(correct).at("compliance").is_null());
  CHECK(p.listed("compliance=flagged") ==
        std::set<std::string>{nameless.at("id"), late_domain.at("id"), old_app.at("id")});
  CHECK(p.listed("compliance=compliant") == std::set<std::string>{correct.at("id")});
  CHECK(p.listed("app_version_below=20") == std::set<std::string>{old_app.at("id")});
  CHECK_ERROR(p.as_partner.get("/v1/licenses?compliance=maybe"), 400, "bad_request");

  // A flagged token verifies offline with its notices, and stops at the deadline.
  const auto flagged_token = p.license(nameless).at("token").get<std::string>();
  const auto nameless_email = nameless.at("email").get<std::string>();
  auto outcome = p.offline(flagged_token, nameless_email, p.start + 2 * day);
  REQUIRE(outcome.status == licensor::verify_status::valid);
  CHECK(outcome.claims.notices == rules{"customer_name_missing"});
  REQUIRE(outcome.claims.exp.has_value());
  CHECK(*outcome.claims.exp == p.start + 30 * day);
  CHECK(p.offline(flagged_token, nameless_email, p.start + 30 * day + 61).status == licensor::verify_status::expired);
  // Online: valid, with the notices, until the deadline.
  const auto online = p.anyone.post("/v1/validate", {{"token", flagged_token}});
  CHECK(online.json.at("valid") == true);
  CHECK(online.json.at("license").at("notices") == json{"customer_name_missing"});
  CHECK(time_of(online.json.at("license").at("notices_deadline")) == p.start + 30 * day);

  // Two are fixed in time: a name given (checked at once), an app upgraded (at the next sweep).
  REQUIRE(p.as_partner.patch("/v1/customers/" + nameless.at("customer_id").get<std::string>(), {{"name", "Named Now"}}).status == 200);
  const auto rechecked = p.as_partner.post("/v1/licenses/" + nameless.at("id").get<std::string>() + "/compliance-check");
  REQUIRE(rechecked.status == 200);
  CHECK(rechecked.json.at("compliance").is_null());
  outcome = p.offline(rechecked.json.at("token").get<std::string>(), nameless_email, p.start + 2 * day);
  REQUIRE(outcome.status == licensor::verify_status::valid);
  CHECK(outcome.claims.notices.empty());
  CHECK(*outcome.claims.exp == p.start + 2 * day + 30 * day);  // a free token's normal lifetime
  REQUIRE(p.anyone.post("/v1/validate", {{"token", p.license(old_app).at("token")}, {"app_version", "20.2"}}).status == 200);
  CHECK(p.license(old_app).at("app_version_seen") == "20.2");

  // Day 24: the late-domain license is 6 days from its deadline, which starts a sweep by itself.
  p.clock_set(p.start + 24 * day);
  CHECK(p.license(old_app).at("compliance").is_null());
  CHECK(p.license(late_domain).at("compliance").at("deadline_warned") == true);
  outcome = p.offline(p.license(old_app).at("token").get<std::string>(), old_app.at("email").get<std::string>(), p.start + 24 * day);
  REQUIRE(outcome.status == licensor::verify_status::valid);
  CHECK(outcome.claims.notices.empty());
  CHECK(*outcome.claims.exp == p.start + 24 * day + 30 * day);

  // Past the deadline: the one still wrong expires and gives its slots back.
  p.clock_set(p.start + 30 * day + 120);
  const auto expired = p.license(late_domain);
  CHECK(expired.at("status") == "expired");
  CHECK(validate_code(p.anyone, {{"token", expired.at("token")}}) == "expired");
  CHECK(free_used(p.as_partner) == 3);
  std::size_t recount = 0;
  const auto all = p.as_partner.get("/v1/licenses?limit=500");
  for (const auto& item : all.json.at("items"))
    if (item.at("kind") == "free" && item.at("status") != "expired") ++recount;
  CHECK(recount == 3);
  for (const auto& fine : {correct, nameless, old_app}) CHECK(p.license(fine).at("status") == "active");
  CHECK_ERROR(p.as_partner.post("/v1/licenses/" + late_domain.at("id").get<std::string>() + "/transfer",
                                {{"customer_id", correct.at("customer_id")}}),
              409, "conflict");

  // What the partner heard, in order, and what the audit kept.
  CHECK(p.event_types_of(late_domain.at("id")) ==
        std::vector<std::string>{"license.issued", "license.compliance_flagged", "license.compliance_deadline_near",
                                 "license.compliance_expired"});
  CHECK(p.event_types_of(old_app.at("id")) ==
        std::vector<std::string>{"license.issued", "license.compliance_flagged", "license.compliance_cleared"});
  CHECK(p.event_types_of(nameless.at("id")) ==
        std::vector<std::string>{"license.issued", "license.compliance_flagged", "license.compliance_cleared"});
  CHECK(p.event_types_of(correct.at("id")) == std::vector<std::string>{"license.issued"});
  std::size_t flag_entries = 0;
  for (const auto& entry : audit_entries(p.as_operator, "license.compliance_flagged")) {
    if (entry.at("target") != late_domain.at("id")) continue;
    ++flag_entries;
    CHECK(entry.at("details").at("before").at("rules") == json::array());
    CHECK(entry.at("details").at("after").at("rules") == json{"email_in_partner_domain"});
  }
  CHECK(flag_entries == 1);
}

TEST_CASE("who may run and read the sweep, and re-check a license") {
  programme p;
  const auto license = p.free_license("who-" + unique_suffix() + "@customer.example", "Who Ltd", "20");
  CHECK(p.as_operator.get("/v1/compliance").status == 200);
  CHECK(p.as_partner.get("/v1/compliance").status == 403);
  CHECK(p.as_partner.post("/v1/compliance/sweep").status == 403);
  CHECK(p.anyone.post("/v1/compliance/sweep").status == 401);
  CHECK_ERROR(p.as_operator.post("/v1/compliance/sweep", {{"now", "x"}}), 400, "bad_request");
  const auto other = partner_create(p.as_operator);
  CHECK_ERROR(p.server.client(other.api_key).post("/v1/licenses/" + license.at("id").get<std::string>() + "/compliance-check"),
              404, "license_not_found");
  const auto state = p.as_operator.get("/v1/compliance").json;
  CHECK(state.at("interval_days") == 30);
  CHECK(state.at("deadline_days") == 30);
  CHECK_ERROR(p.anyone.post("/v1/validate", {{"token", license.at("token")}, {"app_version", "v20"}}), 400, "bad_request");
}

TEST_CASE("two free licenses of one customer from before the rule: the sweep flags the later one only") {
  programme p;
  const auto first = p.free_license("twice-" + unique_suffix() + "@customer.example", "Twice Ltd", "20");
  const auto first_id = first.at("id").get<std::string>();
  REQUIRE(p.server.stop() == 0);
  std::string second_id = first_id + "-legacy";
  {
    // What an earlier programme left: a second free license of the same customer and product,
    // issued a minute later, with no slot of its own.
    auto store = p.server.store_conninfo().empty()
                     ? licensor::store::lmdb_store_open(p.server.data_dir() / "store", {})
                     : licensor::store::pg_store_open({.conninfo = p.server.store_conninfo(), .password = {}});
    REQUIRE(store.ok());
    const auto written = licensor::store::submit_wait(**store, [&](licensor::store::write_view& write) -> licensor::result<void> {
      auto stored = write.license_get(first_id);
      if (!stored || !*stored) return licensor::errc::not_found;
      auto second = **stored;
      second.id = second_id;
      second.issued_at += 60;
      second.activation_key = "LEGACY-" + unique_suffix();
      second.token = "legacy-token-" + second_id;
      second.app_version_highs.clear();
      return write.license_insert(second);
    });
    REQUIRE(written.ok());
  }
  p.server.restart();
  p.connect();
  p.clock_set(p.start);

  const auto swept = p.sweep();
  CHECK(swept.at("last").at("checked") == 2);
  CHECK(swept.at("last").at("flagged") == 1);
  CHECK(p.license(first).at("compliance").is_null());
  const auto later = p.as_partner.get("/v1/licenses/" + second_id);
  REQUIRE(later.status == 200);
  CHECK(later.json.at("compliance").at("rules") == json{"more_than_one_free"});
  const auto email = first.at("email").get<std::string>();
  const auto outcome = p.offline(later.json.at("token").get<std::string>(), email, p.start + 120);
  REQUIRE(outcome.status == licensor::verify_status::valid);
  CHECK(outcome.claims.notices == rules{"more_than_one_free"});
  CHECK(*outcome.claims.exp == p.start + 30 * day);
}
