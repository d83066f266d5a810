// The listings' filters and orders (GET /v1/licenses, GET /v1/customers): each filter alone and combined, each order both ways,
// one customer's licenses, the licenses each customer holds,
// its boundary, and a bad value answered 400; what another partner holds never shows. The CSV
// exports take the same filters and keep spreadsheet formulas from running.
#include <algorithm>
#include <ctime>
#include <set>

#include "licensor/rfc3339.hpp"
#include "server_test.hpp"

using namespace licensor::testing;
using nlohmann::json;

namespace {

std::set<std::string> ids_of(https_client& client, const std::string& target) {
  const auto page = client.get(target);
  REQUIRE_MESSAGE(page.status == 200, target);
  std::set<std::string> ids;
  for (const auto& item : page.json.at("items")) ids.insert(item.at("id").get<std::string>());
  return ids;
}

// A fresh gold partner of the shared server, with a product of its own to sell.
struct listing_world {
  licensord_process& server = shared_server();
  https_client as_operator = server.operator_client();
  std::string product = product_create(as_operator);
  partner_account partner = partner_create(as_operator, partner_spec().with_level("gold"));
  https_client as_partner = server.client(partner.api_key);
  std::string tag = unique_suffix();
};

}  // namespace

TEST_CASE_FIXTURE(listing_world, "licenses are filtered by status, kind, product, tier, email prefix, expiry and issue ranges") {
  const auto& editor = product;
  const auto viewer = product_create(as_operator);
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const auto ann = customer_create(as_partner, "ann-" + tag + "@rossi.example");
  const auto bob = customer_create(as_partner, "bob-" + tag + "@verdi.example");
  const std::string ann_id = ann.at("id"), bob_id = bob.at("id");

  const std::string free_one = license_issue(as_partner, {ann_id, editor, "free"}).at("id");
  const std::string pro_soon = license_issue(as_partner, {ann_id, editor, "paid", {{"tier", "pro"}, {"term_days", 10}}}).at("id");
  const std::string viewer_late = license_issue(as_partner, {bob_id, viewer, "paid", {{"term_days", 100}}}).at("id");
  const std::string trial = license_issue(as_partner, {bob_id, editor, "trial"}).at("id");
  REQUIRE(as_partner.post("/v1/licenses/" + trial + "/suspend").status == 200);
  // Another partner's license of the same product never shows.
  const auto other = partner_create(as_operator, partner_spec().with_level("gold"));
  auto as_other = server.client(other.api_key);
  (void)license_issue(as_other, {customer_fresh(as_other).at("id"), editor, "free"});

  const std::set<std::string> all{free_one, pro_soon, viewer_late, trial};
  CHECK(ids_of(as_partner, "/v1/licenses?limit=500") == all);
  CHECK(ids_of(as_partner, "/v1/licenses?status=suspended") == std::set<std::string>{trial});
  CHECK(ids_of(as_partner, "/v1/licenses?status=active") == std::set<std::string>{free_one, pro_soon, viewer_late});
  CHECK(ids_of(as_partner, "/v1/licenses?kind=paid") == std::set<std::string>{pro_soon, viewer_late});
  CHECK(ids_of(as_partner, "/v1/licenses?product=" + viewer) == std::set<std::string>{viewer_late});
  CHECK(ids_of(as_partner, "/v1/licenses?tier=pro") == std::set<std::string>{pro_soon});
  CHECK(ids_of(as_partner, "/v1/licenses?product=" + editor + "&kind=paid") == std::set<std::string>{pro_soon});
  CHECK(ids_of(as_partner, "/v1/licenses?email=ANN-" + tag) == std::set<std::string>{free_one, pro_soon});
  CHECK(ids_of(as_partner, "/v1/licenses?email=nobody").empty());
  // Expiry: the 10-day license and the trial (30 days) within 31 days; perpetual ones never.
  CHECK(ids_of(as_partner, "/v1/licenses?expires_to=" + at(now + 31 * day)) == std::set<std::string>{pro_soon, trial});
  CHECK(ids_of(as_partner, "/v1/licenses?expires_from=" + at(now + 31 * day)) == std::set<std::string>{viewer_late});
  const auto pro_expiry = as_partner.get("/v1/licenses/" + pro_soon).json.at("expires_at").get<std::string>();
  CHECK(ids_of(as_partner, "/v1/licenses?expires_from=" + pro_expiry + "&expires_to=" + pro_expiry) ==
        std::set<std::string>{pro_soon});  // both bounds inclusive
  CHECK(ids_of(as_partner, "/v1/licenses?issued_from=" + at(now - 60)) == all);
  CHECK(ids_of(as_partner, "/v1/licenses?issued_to=" + at(now - 3600)).empty());

  // One customer's licenses, through its index; another partner's customer is not found.
  CHECK(ids_of(as_partner, "/v1/licenses?customer_id=" + ann_id) == std::set<std::string>{free_one, pro_soon});
  CHECK(ids_of(as_partner, "/v1/licenses?customer_id=" + bob_id + "&status=suspended") == std::set<std::string>{trial});
  const std::string others_customer = customer_fresh(as_other).at("id");
  CHECK_ERROR(as_partner.get("/v1/licenses?customer_id=" + others_customer), 404, "customer_not_found");
  // The customers' listing says how many licenses each holds.
  const auto customers = as_partner.get("/v1/customers?q=ann-" + tag);
  REQUIRE(customers.json.at("items").size() == 1);
  CHECK(customers.json.at("items")[0].at("licenses_held") == 2);

  // Sorted by the server: by issue (ids), by expiry through its index (never last), each way; the
  // filters still apply, and a cursor keeps the order.
  const auto ids_in_order = [&](const std::string& target) {
    const auto page = as_partner.get(target);
    REQUIRE_MESSAGE(page.status == 200, target);
    std::vector<std::string> ids;
    for (const auto& item : page.json.at("items")) ids.push_back(item.at("id").get<std::string>());
    return ids;
  };
  using ids_t = std::vector<std::string>;
  // Ids begin with the issue time to the millisecond; within one, the order is the ids'.
  const auto by_id = [](ids_t ids, bool newest_first) {
    std::sort(ids.begin(), ids.end());
    if (newest_first) std::reverse(ids.begin(), ids.end());
    return ids;
  };
  CHECK(ids_in_order("/v1/licenses") == by_id({free_one, pro_soon, viewer_late, trial}, false));
  CHECK(ids_in_order("/v1/licenses?sort=-issued") == by_id({free_one, pro_soon, viewer_late, trial}, true));
  CHECK(ids_in_order("/v1/licenses?sort=-issued&status=active") == by_id({free_one, pro_soon, viewer_late}, true));
  CHECK(ids_in_order("/v1/licenses?sort=expires") == ids_t{pro_soon, trial, viewer_late, free_one});
  CHECK(ids_in_order("/v1/licenses?sort=-expires&kind=paid") == ids_t{viewer_late, pro_soon});
  CHECK(ids_in_order("/v1/licenses?sort=expires&expires_to=" + at(now + 31 * day)) == ids_t{pro_soon, trial});
  const auto first = as_partner.get("/v1/licenses?sort=-expires&limit=1");
  REQUIRE(first.json.at("next").is_string());
  CHECK(ids_in_order("/v1/licenses?sort=-expires&limit=2&after=" + first.json.at("next").get<std::string>()) ==
        ids_t{viewer_late, trial});
  CHECK_ERROR(as_partner.get("/v1/licenses?sort=expires&email=ann"), 400, "bad_request");
  // One customer's licenses, on one page, in the same orders.
  CHECK(ids_in_order("/v1/licenses?customer_id=" + ann_id + "&sort=-expires") == ids_t{free_one, pro_soon});
  CHECK(ids_in_order("/v1/licenses?customer_id=" + ann_id + "&sort=expires") == ids_t{pro_soon, free_one});
  CHECK_ERROR(as_partner.get("/v1/licenses?customer_id=" + ann_id + "&sort=seats"), 400, "bad_request");

  for (const auto* bad : {"status=gone", "kind=gift", "expires_from=tomorrow", "issued_to=2026-13-01T00:00:00Z",
                          "compliance=maybe", "app_version_below=v1", "sort=price", "sort=--issued", "sort="})
    CHECK_ERROR(as_partner.get(std::string("/v1/licenses?") + bad), 400, "bad_request");
}

TEST_CASE_FIXTURE(listing_world, "customers are searched by email, name or VAT number prefix, case-insensitively") {
  const auto created = [&](const json& body) {
    const auto answer = as_partner.post("/v1/customers", body);
    REQUIRE_MESSAGE(answer.status == 201, answer.json.dump());
    return answer.json.at("id").get<std::string>();
  };
  const auto ann = created({{"email", "ann-" + tag + "@rossi.example"}, {"name", "Rossi S.r.l."}});
  const auto bob = created({{"email", "bob-" + tag + "@verdi.example"}, {"name", "Verdi SpA"}, {"vat_number", "IT12345678901"}});
  const auto other = partner_create(as_operator, partner_spec().with_level("gold"));
  auto as_other = server.client(other.api_key);
  (void)customer_create(as_other, "ann-" + tag + "@else.example");

  CHECK(ids_of(as_partner, "/v1/customers?q=ann-" + tag) == std::set<std::string>{ann});
  CHECK(ids_of(as_partner, "/v1/customers?q=ROSSI") == std::set<std::string>{ann});
  CHECK(ids_of(as_partner, "/v1/customers?q=verdi%20s") == std::set<std::string>{bob});
  CHECK(ids_of(as_partner, "/v1/customers?q=IT1234") == std::set<std::string>{bob});
  CHECK(ids_of(as_partner, "/v1/customers?q=srl").empty());  // a prefix, not a substring
  // Without a search, in the order they were registered, either way.
  // Ids begin with the registration time to the millisecond; within one, the order is the ids'.
  const auto [earlier, later] = std::minmax(ann, bob);
  const auto newest = as_partner.get("/v1/customers?sort=-registered&limit=2");
  REQUIRE(newest.status == 200);
  CHECK(newest.json.at("items").at(0).at("id") == later);
  CHECK(newest.json.at("items").at(1).at("id") == earlier);
  CHECK(as_partner.get("/v1/customers?sort=registered").json.at("items").at(0).at("id") == earlier);
  CHECK_ERROR(as_partner.get("/v1/customers?q=ann&sort=-registered"), 400, "bad_request");
  CHECK_ERROR(as_partner.get("/v1/customers?sort=name"), 400, "bad_request");
  CHECK_ERROR(as_partner.get("/v1/customers?q="), 400, "bad_request");
  CHECK_ERROR(as_partner.get("/v1/customers?q=" + std::string(201, 'a')), 400, "bad_request");
}

TEST_CASE_FIXTURE(listing_world, "the CSV exports hold every filtered record, and a formula stays text") {
  const auto formula = as_partner.post("/v1/customers", {{"email", "calc-" + tag + "@sheet.example"}, {"name", "=HYPERLINK(\"x\",\"y\")"}});
  REQUIRE(formula.status == 201);
  const auto plain = as_partner.post("/v1/customers", {{"email", "plain-" + tag + "@sheet.example"}, {"name", "Plain, Ltd"}});
  REQUIRE(plain.status == 201);
  (void)license_issue(as_partner, {formula.json.at("id"), product, "free"});
  (void)license_issue(as_partner, {plain.json.at("id"), product, "paid"});

  const auto customers = as_partner.get("/v1/exports/customers");
  REQUIRE(customers.status == 200);
  CHECK(customers.header("content-type") == "text/csv; charset=utf-8");
  CHECK(customers.header("content-disposition") == "attachment; filename=\"customers.csv\"");
  CHECK(customers.header("x-next-cursor").empty());
  CHECK(customers.body.rfind("id,partner_id,email,name,vat_number,created_at,self_service,manages_own_notifications\r\n", 0) == 0);
  CHECK(customers.body.find(",\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\",") != std::string::npos);  // quoted, and text
  CHECK(customers.body.find(",\"Plain, Ltd\",") != std::string::npos);
  std::size_t lines = 0;
  for (std::size_t at = customers.body.find("\r\n"); at != std::string::npos; at = customers.body.find("\r\n", at + 2)) ++lines;
  CHECK(lines == 3);  // the header and two customers

  const auto free_only = as_partner.get("/v1/exports/licenses?kind=free");
  REQUIRE(free_only.status == 200);
  CHECK(free_only.body.find("calc-" + tag) != std::string::npos);
  CHECK(free_only.body.find("plain-" + tag) == std::string::npos);
  CHECK(as_partner.get("/v1/exports/customers?q=plain-" + tag).body.find("calc-") == std::string::npos);
  CHECK_ERROR(as_partner.get("/v1/exports/licenses?status=gone"), 400, "bad_request");
  // Another partner's export holds none of these.
  const auto other = partner_create(as_operator, partner_spec());
  CHECK(server.client(other.api_key).get("/v1/exports/customers").body.find(tag) == std::string::npos);
}
