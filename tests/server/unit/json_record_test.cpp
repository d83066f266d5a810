// Reading a record straight from its text (server/domain/json_record.hpp) gives what nlohmann's
// from_json gives on the parsed document: the same record, or a refusal for the same texts; writing
// one (domain/json_record_write.hpp) gives what nlohmann::json(record).dump() gives.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/views.hpp"
#include "domain/json_record.hpp"
#include "domain/records.hpp"
#include "subscription/records.hpp"

using namespace licensor;
using namespace licensor::server;

namespace {

// Both readings of `text` as a Record: both refuse it, or both give the same record.
template <class Record>
void check_same_as_from_json(const std::string& text) {
  INFO(text.substr(0, 160));
  Record ours;
  const bool ours_read = json_read_record(text, ours);
  Record theirs;
  bool theirs_read = false;
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded() && json.is_object()) {
    try {
      theirs = json.get<Record>();
      theirs_read = true;
    } catch (const nlohmann::json::exception&) {
    }
  }
  REQUIRE(ours_read == theirs_read);
  if (theirs_read) CHECK(nlohmann::json(ours) == nlohmann::json(theirs));
}

license_record full_license() {
  license_record license;
  license.id = "lic_01JD8Y5Q2W3E4R5T6Y7U8I9O0P";
  license.partner_id = "ptn_1";
  license.customer_id = "cus_1";
  license.email = "ana@example.com";
  license.product = "editor";
  license.tier = "pro";
  license.kind = license_kind::free;
  license.status = license_status::suspended;
  license.seats = 7;
  license.features = {"export", "caf\u00e9 \"quoted\""};
  license.min_version = "20";
  license.fingerprint = "fp";
  license.activation_key = "ABCD-EFGH";
  license.token = "v4.public.eyJ0ZXN0Ijp0cnVlfQ";
  license.kid = "k4.pid.x";
  license.issued_at = 1'795'000'000;
  license.expires_at = -1;
  license.updated_at = 1'795'000'001;
  license.token_expires_at = 1'795'086'400;
  license.app_version_seen = "20.1";
  license.app_version_seen_at = 1'795'000'002;
  license.compliance = {{"own_domain", "duplicate"}, 5, 6, true};
  license.app_version_highs = {{"19", 10}, {"20", 20}};
  license.campaigns = {"cmp_1"};
  return license;
}

}  // namespace

TEST_CASE("a record written by to_json reads back whole") {
  const auto license = full_license();
  license_record read;
  REQUIRE(json_read_record(nlohmann::json(license).dump(), read));
  CHECK(nlohmann::json(read) == nlohmann::json(license));
  check_same_as_from_json<license_record>(nlohmann::json(license).dump());

  subscription::subscription_record subscription;
  subscription.license_id = "lic_1";
  subscription.term = "annual";
  subscription.auto_renew = false;
  subscription.addons = {"lic_2", "lic_3"};
  subscription.lots = {{2, 10, 500, 99}, {3, 11, 600, 99}};
  subscription.scheduled = {"basic", 4, "monthly", 12};
  subscription.term_charged = -250;
  check_same_as_from_json<subscription::subscription_record>(nlohmann::json(subscription).dump());
}

TEST_CASE("missing keys keep their defaults, unknown keys are ignored, the last of a key given twice wins") {
  for (const std::string text : {
           R"({})", R"({"id":"lic_1"})", R"({"id":"lic_1","extra":[1,{"a":null}],"more":{"x":"y"}})",
           R"({"seats":2,"seats":3})", R"({"id":"a","id":"b"})",
           R"({"compliance":{"rules":["a"],"since":4},"compliance":{"since":5}})",
           R"({"features":["a"],"features":[]})", R"({"app_version_highs":[{"version":"1"},{"at":3}]})",
       }) {
    check_same_as_from_json<license_record>(text);
  }
  license_record read;
  REQUIRE(json_read_record(R"({"seats":2,"seats":3,"compliance":{"rules":["a"]},"compliance":{"since":5}})", read));
  CHECK(read.seats == 3);
  CHECK(read.compliance.rules.empty());
  CHECK(read.compliance.since == 5);
  CHECK(read.kind == license_kind::paid);  // the default
}


TEST_CASE("keys in any order read the same record as keys in the order this server writes them") {
  // The reader tries the key after the last one first (this server writes keys sorted); text
  // from elsewhere (a jsonb column orders keys by length, a hand-made document by whim) takes the
  // search instead and must read the same.
  const auto written = nlohmann::json(full_license());
  std::vector<std::string> keys;
  for (const auto& item : written.items()) keys.push_back(item.key());
  const auto text_in = [&written](const std::vector<std::string>& order) {
    std::string text = "{";
    for (const auto& key : order) text += (text.size() > 1 ? "," : "") + nlohmann::json(key).dump() + ":" + written[key].dump();
    return text + "}";
  };
  auto by_length = keys;
  std::stable_sort(by_length.begin(), by_length.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
  const std::vector<std::vector<std::string>> orders{
      keys, {keys.rbegin(), keys.rend()}, by_length, {keys[3], keys[0], keys[1], keys[2], keys[5], keys[4]}};
  for (const auto& order : orders) {
    license_record read;
    REQUIRE(json_read_record(text_in(order), read));
    nlohmann::json expected = nlohmann::json::object();
    for (const auto& key : order) expected[key] = written[key];
    CHECK(nlohmann::json(read) == nlohmann::json(expected.get<license_record>()));
    check_same_as_from_json<license_record>(text_in(order));
  }
}
TEST_CASE("numbers convert as nlohmann converts them") {
  for (const std::string text : {
           R"({"seats":2.7})", R"({"seats":true})", R"({"seats":-1})", R"({"issued_at":18446744073709551615})",
           R"({"issued_at":-9223372036854775808})", R"({"issued_at":1e3})", R"({"seats":4294967295.5})",
           R"({"seats":-0.5})",
       }) {
    check_same_as_from_json<license_record>(text);
  }
  license_record read;
  REQUIRE(json_read_record(R"({"seats":4294967295.5,"issued_at":-9.2e18})", read));
  CHECK(read.seats == 4'294'967'295u);
  CHECK(read.issued_at == -9'200'000'000'000'000'000);
}

TEST_CASE("a number no member can hold refuses the record, where nlohmann's cast would be undefined") {
  for (const std::string text : {
           R"({"seats":4294967296.0})", R"({"seats":1e10})", R"({"seats":-1.5})", R"({"issued_at":1e300})",
           R"({"issued_at":-1e19})", R"({"issued_at":9223372036854775808.0})", R"({"seats":123456789012345678901234567890})",
       }) {
    INFO(text);
    license_record read;
    CHECK_FALSE(json_read_record(text, read));
  }
  // Nesting deeper than simdjson's 1,024 levels, which no record has.
  license_record read;
  CHECK_FALSE(json_read_record(R"({"campaigns":)" + std::string(1100, '[') + std::string(1100, ']') + "}", read));
}

TEST_CASE("a record larger than the kept parser's buffers reads the same") {
  auto license = full_license();
  for (int i = 0; i < 6000; ++i) license.features.push_back("feature-" + std::to_string(i));
  const auto text = nlohmann::json(license).dump();
  REQUIRE(text.size() > 64 * 1024);
  license_record read;
  REQUIRE(json_read_record(text, read));
  CHECK(nlohmann::json(read) == nlohmann::json(license));
  REQUIRE(json_read_record(nlohmann::json(full_license()).dump(), read));  // and a small one after it
  CHECK(read.features.size() == 2);
}

TEST_CASE("a value that does not fit its member refuses the record") {
  for (const std::string text : {
           R"({"id":5})", R"({"id":null})", R"({"seats":"5"})", R"({"seats":null})", R"({"features":"x"})",
           R"({"features":[1]})", R"({"features":{}})", R"({"kind":"unknown"})", R"({"status":3})",
           R"({"compliance":[]})", R"({"compliance":null})", R"({"app_version_highs":[{"at":"x"}]})",
           R"({"compliance":{"deadline_warned":1}})",
       }) {
    check_same_as_from_json<license_record>(text);
    license_record read;
    CHECK_FALSE(json_read_record(text, read));
  }
  check_same_as_from_json<partner_record>(R"({"can_issue":1})");
  check_same_as_from_json<partner_record>(R"({"can_issue":true,"discount_percent":12})");
}

TEST_CASE("text that is not a JSON object refuses the record") {
  for (const std::string text : {"", "[]", "\"x\"", "5", "null", "{", "{\"id\":\"a\"} {}", "{\"id\":\"\xff\"}"}) {
    check_same_as_from_json<license_record>(text);
    license_record read;
    CHECK_FALSE(json_read_record(text, read));
  }
}

TEST_CASE("members of other types (maps, enums, nested records in maps) read through their own from_json") {
  for (const std::string text : {
           R"({"id":"editor","tiers":["basic","pro"],"min_version":{"free":"20"},"min_version_from":{"free":5},)"
           R"("prices":{"pro":{"currency":"EUR","seat_month":900,"seat_year":9000}},)"
           R"("policy":{"free":{"tiers":["basic"],"max_seats":1,"features":["x"],"tier_features":{"basic":["y"]}}}})",
           R"({"id":"editor","prices":{"pro":{"seat_month":"a lot"}}})", R"({"id":"editor","min_version":[]})",
       }) {
    check_same_as_from_json<product_record>(text);
  }
}

TEST_CASE("a record is written as nlohmann's dump of its to_json writes it, byte for byte") {
  auto license = full_license();
  CHECK(json_write_record(license) == nlohmann::json(license).dump());
  license.features.push_back(std::string("controls \x01\x1f\x7f\b\f\n\r\t, \\ and / and \"", 30));
  license.email = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80@example.com";  // 2-, 3- and 4-byte characters
  license.compliance = {};
  license.app_version_highs.clear();
  license.issued_at = INT64_MIN;
  CHECK(json_write_record(license) == nlohmann::json(license).dump());
  CHECK(json_write_record(license_record{}) == nlohmann::json(license_record{}).dump());

  subscription::subscription_record subscription;
  subscription.lots = {{2, 10, 500, 99}};
  subscription.term_charged = -250;
  CHECK(json_write_record(subscription) == nlohmann::json(subscription).dump());
  product_record product;
  product.id = "editor";
  product.tiers = {"basic", "pro"};
  product.min_version = {{"free", "20"}};
  CHECK(json_write_record(product) == nlohmann::json(product).dump());
}

TEST_CASE("a license's public view written straight to text is the view as anyone was shown it") {
  // What the view was before it was a record: the answer's text must not change.
  const auto shown = [](const license_record& license) {
    return nlohmann::json{{"id", license.id},
                          {"product", license.product},
                          {"tier", license.tier},
                          {"kind", license.kind},
                          {"status", license.status},
                          {"seats", license.seats},
                          {"features", license.features},
                          {"expires_at", time_or_null(license.expires_at)},
                          {"notices", license.compliance.rules},
                          {"notices_deadline",
                           license.compliance.flagged() ? time_or_null(license.compliance.deadline) : nlohmann::json()}};
  };
  auto license = full_license();  // flagged, with a deadline
  license.expires_at = 1'796'000'000;
  std::string text = "prefix:";
  json_write_record(text, license_public_of(license));  // appends
  CHECK(text == "prefix:" + shown(license).dump());
  CHECK(license_public_view(license) == shown(license));
  const auto view = nlohmann::json::parse(text.substr(7));
  CHECK(view["expires_at"] == "2026-11-30T00:53:20Z");
  CHECK(view["notices"] == nlohmann::json{"own_domain", "duplicate"});
  CHECK(view["notices_deadline"] == time_or_null(6));

  license.expires_at = 0;  // perpetual
  license.compliance = {};
  CHECK(json_write_record(license_public_of(license)) == shown(license).dump());
  CHECK(license_public_view(license)["expires_at"].is_null());
  CHECK(license_public_view(license)["notices_deadline"].is_null());
  CHECK(json_write_record(license_public_of(license_record{})) == shown(license_record{}).dump());
}

TEST_CASE("a record with a string that is not UTF-8 is refused as dump() refuses it") {
  auto license = full_license();
  license.email = "bad\xff@example.com";
  CHECK_THROWS_AS((void)nlohmann::json(license).dump(), nlohmann::json::type_error);
  CHECK_THROWS_AS((void)json_write_record(license), nlohmann::json::type_error);
}
