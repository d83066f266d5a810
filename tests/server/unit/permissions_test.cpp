// Roles and permissions: the matrix's shape, and that docs/roles.md and the OpenAPI document say
// what the router enforces.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "api/router.hpp"
#include "domain/permissions.hpp"

using namespace licensor::server;

namespace {

std::string source_file(const std::string& relative) {
  std::ifstream in(std::string(LICENSOR_SOURCE_DIR) + "/" + relative);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> cells_of(const std::string& row) {
  std::vector<std::string> cells;
  std::stringstream in(row.substr(1));
  std::string cell;
  while (std::getline(in, cell, '|')) {
    const auto first = cell.find_first_not_of(' ');
    const auto last = cell.find_last_not_of(' ');
    cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
  }
  return cells;
}

bool is_subset(std::uint64_t smaller, std::uint64_t larger) { return (smaller & ~larger) == 0; }

std::uint64_t permissions_of(org_kind kind, std::string_view name) {
  const auto role = role_find(kind, name);
  REQUIRE(role.has_value());
  return role->permissions;
}

}  // namespace

TEST_CASE("a role belongs to one kind of organisation") {
  CHECK(role_find(org_kind::operator_, "owner").has_value());
  CHECK_FALSE(role_find(org_kind::partner, "owner").has_value());
  CHECK_FALSE(role_find(org_kind::operator_, "global_admin").has_value());
  CHECK_FALSE(role_find(org_kind::customer, "admin").has_value());
  CHECK_FALSE(role_find(org_kind::partner, "").has_value());
}

TEST_CASE("the top role of each organisation includes its others") {
  for (const auto& role : roles_all()) {
    CAPTURE(role.name);
    if (role.kind == org_kind::operator_) CHECK(is_subset(role.permissions, permissions_of(org_kind::operator_, "owner")));
    if (role.kind == org_kind::partner) CHECK(is_subset(role.permissions, permissions_of(org_kind::partner, "global_admin")));
    if (role.kind == org_kind::customer)
      CHECK(is_subset(role.permissions, permissions_of(org_kind::customer, "customer_admin")));
  }
}

TEST_CASE("what the programme's roles may not do") {
  const auto may = [](org_kind kind, std::string_view name, permission p) {
    return role_allows(*role_find(kind, name), p);
  };
  CHECK_FALSE(may(org_kind::operator_, "admin", permission::keys_manage));
  CHECK_FALSE(may(org_kind::operator_, "admin", permission::operator_users_manage));
  CHECK_FALSE(may(org_kind::operator_, "support", permission::licenses_change));
  CHECK(may(org_kind::operator_, "support", permission::licenses_transfer));
  CHECK_FALSE(may(org_kind::operator_, "auditor", permission::licenses_hold));
  CHECK(may(org_kind::operator_, "auditor", permission::audit_read));
  CHECK_FALSE(may(org_kind::operator_, "billing", permission::licenses_hold));
  CHECK(may(org_kind::operator_, "billing", permission::products_manage));
  CHECK_FALSE(may(org_kind::partner, "sales_agent", permission::subscriptions_cancel));
  CHECK_FALSE(may(org_kind::partner, "sales_agent", permission::seats_change));
  CHECK(may(org_kind::partner, "sales_agent", permission::licenses_issue));
  CHECK_FALSE(may(org_kind::partner, "billing_admin", permission::licenses_hold));
  CHECK(may(org_kind::partner, "billing_admin", permission::ledger_read));
  CHECK(may(org_kind::partner, "helpdesk_agent", permission::licenses_hold));
  CHECK_FALSE(may(org_kind::partner, "helpdesk_agent", permission::licenses_issue));
  CHECK_FALSE(may(org_kind::partner, "admin_agent", permission::users_manage));
  for (const auto& role : roles_all()) {
    if (role.kind == org_kind::operator_) continue;
    CAPTURE(role.name);
    for (const auto p : {permission::partners_read, permission::partners_manage, permission::products_manage,
                         permission::audit_read, permission::keys_read, permission::keys_manage,
                         permission::customers_admin, permission::operator_users_manage, permission::test_clock,
                         permission::licenses_correct})
      CHECK_FALSE(role_allows(role, p));
  }
}

TEST_CASE("docs/roles.md shows the matrix and the routes the server enforces") {
  const auto doc = source_file("docs/roles.md");
  std::stringstream lines(doc);
  std::string line;
  std::vector<std::string> header;
  std::map<std::string, std::vector<std::string>> rows;  // permission -> its cells
  std::map<std::string, std::string> route_permissions;  // "METHOD /path" -> permission or "anyone"
  while (std::getline(lines, line)) {
    if (!line.starts_with("| ")) continue;
    const auto cells = cells_of(line);
    if (cells.front() == "permission") header = cells;
    else if (cells.front().starts_with("`") && cells.size() == header.size()) rows[cells.front()] = cells;
    else if (cells.size() == 2 && cells.front().starts_with("`")) route_permissions[cells[0]] = cells[1];
  }
  REQUIRE(header.size() == roles_all().size() + 1);
  for (std::size_t i = 0; i < roles_all().size(); ++i) CHECK(header[i + 1] == roles_all()[i].name);
  const auto count = static_cast<unsigned>(permission::count_);
  REQUIRE(rows.size() == count);
  for (unsigned p = 0; p < count; ++p) {
    const auto name = "`" + std::string(permission_name(static_cast<permission>(p))) + "`";
    CAPTURE(name);
    REQUIRE(rows.count(name) == 1);
    for (std::size_t i = 0; i < roles_all().size(); ++i) {
      CAPTURE(roles_all()[i].name);
      CHECK((rows[name][i + 1] == "✓") == role_allows(roles_all()[i], static_cast<permission>(p)));
    }
  }
  const auto rules = route_rules();
  CHECK(route_permissions.size() == rules.size());
  for (const auto& rule : rules) {
    const auto route = "`" + std::string(rule.method) + " " + std::string(rule.pattern) + "`";
    CAPTURE(route);
    const auto expected = rule.needed ? "`" + std::string(permission_name(*rule.needed)) + "`" : std::string("anyone");
    CHECK(route_permissions[route] == expected);
  }
}

TEST_CASE("every operation of the OpenAPI document names the permission its route needs") {
  const auto document = nlohmann::json::parse(source_file("server/openapi.json"));
  const std::regex parameter("\\{[^}]*\\}");
  std::map<std::string, nlohmann::json> documented;
  for (const auto& [path, operations] : document.at("paths").items())
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters") continue;
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented[upper + " " + std::regex_replace(path, parameter, "{}")] = operation;
    }
  for (const auto& rule : route_rules()) {
    const auto route = std::string(rule.method) + " " + std::string(rule.pattern);
    CAPTURE(route);
    REQUIRE(documented.count(route) == 1);
    const auto& operation = documented[route];
    REQUIRE(operation.contains("x-licensor-permission"));
    if (rule.needed) CHECK(operation["x-licensor-permission"] == std::string(permission_name(*rule.needed)));
    else CHECK(operation["x-licensor-permission"].is_null());
  }
}
