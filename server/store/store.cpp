#include "store/store.hpp"

#include <future>

#include "licensor/rfc3339.hpp"

namespace licensor::store {

namespace {
constexpr std::string_view manifest_format = "licensor-backup";
constexpr int manifest_version = 1;
}  // namespace

void to_json(nlohmann::json& json, const backup_manifest& manifest) {
  json = {{"format", manifest_format},       {"version", manifest_version},
          {"taken_at", rfc3339_format(manifest.taken_at)}, {"backend", manifest.backend},
          {"schema_version", manifest.schema_version}, {"bytes", manifest.bytes},
          {"sha256", manifest.sha256},       {"counts", manifest.counts}};
}

void from_json(const nlohmann::json& json, backup_manifest& manifest) {
  if (json.at("format").get<std::string>() != manifest_format || json.at("version").get<int>() != manifest_version)
    throw nlohmann::json::other_error::create(501, "not a Licensor backup manifest of a known version", &json);
  const auto taken_at = rfc3339_parse(json.at("taken_at").get<std::string>());
  if (!taken_at) throw nlohmann::json::other_error::create(501, "taken_at is not an RFC 3339 time", &json);
  manifest.taken_at = *taken_at;
  manifest.backend = json.at("backend").get<std::string>();
  manifest.schema_version = json.at("schema_version").get<int>();
  manifest.bytes = json.at("bytes").get<std::uint64_t>();
  manifest.sha256 = json.at("sha256").get<std::string>();
  manifest.counts = json.at("counts").get<std::map<std::string, std::uint64_t>>();
}

result<void> submit_wait(store& target, store::job work) {
  std::promise<result<void>> finished;
  auto outcome = finished.get_future();
  target.submit(std::move(work), [&finished](result<void> done) { finished.set_value(std::move(done)); });
  return outcome.get();
}

}  // namespace licensor::store
