#include "support/openapi_conformance.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace licensor::testing {
namespace {

using json = nlohmann::json;

std::atomic<bool> enabled{false};
constexpr std::string_view document_path = "/v1/openapi.json";

const json& document_of(unsigned short port) {
  static std::mutex mutex;
  static std::map<unsigned short, json> documents;
  std::lock_guard lock(mutex);
  auto found = documents.find(port);
  if (found == documents.end()) {
    https_client client(port);
    auto reply = client.get(document_path);
    if (reply.status != 200 || !reply.json.is_object())
      throw std::runtime_error("openapi conformance: GET /v1/openapi.json answered " + std::to_string(reply.status));
    found = documents.emplace(port, std::move(reply.json)).first;
  }
  return found->second;
}

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> out;
  while (!path.empty()) {
    if (path.front() == '/') path.remove_prefix(1);
    const auto end = path.find('/');
    out.push_back(path.substr(0, end));
    path = end == std::string_view::npos ? std::string_view() : path.substr(end);
  }
  return out;
}

// The path template that matches `path`, preferring the one with the most literal segments
// (/v1/keys/rotate over /v1/keys/{kid}); empty when none does.
std::string path_template_of(const json& document, std::string_view path) {
  const auto wanted = segments_of(path);
  std::string best;
  int best_literals = -1;
  for (const auto& [name, item] : document.at("paths").items()) {
    const auto pattern = segments_of(name);
    if (pattern.size() != wanted.size()) continue;
    int literals = 0;
    bool matches = true;
    for (std::size_t i = 0; i < pattern.size() && matches; ++i) {
      if (pattern[i].starts_with('{')) matches = !wanted[i].empty();
      else matches = pattern[i] == wanted[i] && ++literals > 0;
    }
    if (matches && literals > best_literals) best = name, best_literals = literals;
  }
  return best;
}

const json& resolved(const json& document, const json& node) {
  const json* at = &node;
  while (at->is_object() && at->contains("$ref")) {
    const auto ref = at->at("$ref").get<std::string>();
    if (!ref.starts_with("#/")) throw std::runtime_error("openapi conformance: unsupported $ref " + ref);
    at = &document.at(json::json_pointer(ref.substr(1)));
  }
  return *at;
}

bool type_matches(std::string_view type, const json& value) {
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "null") return value.is_null();
  return false;
}

// The first way `value` fails `schema`, or "" when it matches.
std::string schema_mismatch(const json& document, const json& schema_node, const json& value, const std::string& where) {
  const auto& schema = resolved(document, schema_node);
  if (!schema.is_object()) return {};
  if (const auto type = schema.find("type"); type != schema.end()) {
    const bool ok = type->is_array() ? std::any_of(type->begin(), type->end(), [&](const json& t) {
      return type_matches(t.get<std::string>(), value);
    }) : type_matches(type->get<std::string>(), value);
    if (!ok) return where + ": " + value.type_name() + " where the document says " + type->dump();
  }
  if (const auto allowed = schema.find("enum"); allowed != schema.end() &&
      std::find(allowed->begin(), allowed->end(), value) == allowed->end())
    return where + ": " + value.dump() + " is not in the documented enum";
  if (const auto constant = schema.find("const"); constant != schema.end() && *constant != value)
    return where + ": " + value.dump() + " is not the documented constant";
  if (value.is_number()) {
    if (const auto low = schema.find("minimum"); low != schema.end() && value.get<double>() < low->get<double>())
      return where + ": " + value.dump() + " is below the documented minimum";
    if (const auto high = schema.find("maximum"); high != schema.end() && value.get<double>() > high->get<double>())
      return where + ": " + value.dump() + " is above the documented maximum";
  }
  for (const char* all_of : {"allOf"})
    if (const auto parts = schema.find(all_of); parts != schema.end())
      for (const auto& part : *parts)
        if (auto failed = schema_mismatch(document, part, value, where); !failed.empty()) return failed;
  for (const char* any_of : {"anyOf", "oneOf"}) {
    if (const auto parts = schema.find(any_of); parts != schema.end()) {
      const bool one = std::any_of(parts->begin(), parts->end(),
                                   [&](const json& part) { return schema_mismatch(document, part, value, where).empty(); });
      if (!one) return where + ": matches none of the documented " + any_of;
    }
  }
  if (value.is_object()) {
    const auto properties = schema.find("properties");
    if (const auto required = schema.find("required"); required != schema.end())
      for (const auto& name : *required)
        if (!value.contains(name.get<std::string>())) return where + ": the required property " + name.dump() + " is missing";
    const auto additional = schema.find("additionalProperties");
    for (const auto& [name, item] : value.items()) {
      const auto path = where + "." + name;
      if (properties != schema.end() && properties->contains(name)) {
        if (auto failed = schema_mismatch(document, properties->at(name), item, path); !failed.empty()) return failed;
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) return path + ": not a documented property";
        if (additional->is_object())
          if (auto failed = schema_mismatch(document, *additional, item, path); !failed.empty()) return failed;
      }
    }
  }
  if (value.is_array())
    if (const auto items = schema.find("items"); items != schema.end())
      for (std::size_t i = 0; i < value.size(); ++i)
        if (auto failed = schema_mismatch(document, *items, value[i], where + "[" + std::to_string(i) + "]"); !failed.empty())
          return failed;
  return {};
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

void openapi_conformance_enable() { enabled = true; }
bool openapi_conformance_enabled() { return enabled.load(); }

void openapi_conformance_check(unsigned short port, std::string_view method, std::string_view target,
                               const response& reply) {
  const auto path = target.substr(0, target.find('?'));
  if (path == document_path) return;
  // The portal's page and assets (GET / and /assets/…) are files, not API operations.
  if (method == "GET" && reply.status == 200 && (path == "/" || path.rfind("/assets/", 0) == 0)) return;
  const auto& document = document_of(port);
  const auto what = std::string(method) + " " + std::string(target) + " answered " + std::to_string(reply.status);
  const auto fail = [&](const std::string& reason) {
    throw std::runtime_error("OpenAPI conformance: " + what + ": " + reason + "\nbody: " + reply.body.substr(0, 500));
  };
  const auto error_schema = json{{"$ref", "#/components/schemas/Error"}};

  const auto name = path_template_of(document, path);
  // Methods are case-sensitive: "get" is not GET, so it names no documented operation.
  const bool upper = std::none_of(method.begin(), method.end(), [](unsigned char c) { return std::islower(c); });
  const json* operation = nullptr;
  if (!name.empty() && upper) {
    const auto& item = document.at("paths").at(name);
    if (const auto found = item.find(lowercase(method)); found != item.end()) operation = &*found;
  }
  if (operation == nullptr) {
    // Not a documented operation: only a refusal with the error shape is right.
    if (reply.status < 400 || reply.status >= 500) fail("an undocumented operation answered outside 4xx");
    if (auto failed = schema_mismatch(document, error_schema, reply.json, "body"); !failed.empty()) fail(failed);
    return;
  }
  const auto& responses = operation->at("responses");
  const auto status = std::to_string(reply.status);
  const auto documented = responses.find(status) != responses.end() ? responses.find(status) : responses.find("default");
  if (documented == responses.end()) fail("the document does not list this status for " + name);
  const auto& answer = resolved(document, *documented);
  const auto content = answer.find("content");
  if (content == answer.end() || !content->contains("application/json")) return;
  if (reply.json.is_discarded() || (reply.json.is_null() && !reply.body.empty() && reply.body != "null"))
    fail("the body is not JSON");
  const auto& media = content->at("application/json");
  if (const auto schema = media.find("schema"); schema != media.end())
    if (auto failed = schema_mismatch(document, *schema, reply.json, "body"); !failed.empty()) fail(failed);
}

}  // namespace licensor::testing
