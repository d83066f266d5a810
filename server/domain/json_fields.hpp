// A record's JSON form declared once: LICENSOR_JSON_FIELDS(type, member...) is nlohmann's
// NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT (to_json, and from_json where a missing key
// keeps the member's default) plus the same member list as data, `json_fields(const type*)`, from
// which the store decodes a stored record straight from its text (domain/json_record.hpp)
// without building an nlohmann::json first. One list, so the two readings cannot drift apart.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>
#include <tuple>

namespace licensor::server {

/// One member of a record and its key in the JSON object.
template <class Record, class Member>
struct json_field {
  std::string_view key;
  Member Record::*member;
};

/// True for a record declared with LICENSOR_JSON_FIELDS (found by argument-dependent lookup).
template <class Record>
concept has_json_fields = requires { json_fields(static_cast<const Record*>(nullptr)); };

}  // namespace licensor::server

// One element of json_fields' tuple; `Record` is the alias the function below declares.
#define LICENSOR_JSON_FIELD(member) \
  std::make_tuple(::licensor::server::json_field<Record, decltype(Record::member)>{#member, &Record::member}),

#define LICENSOR_JSON_FIELDS(Type, ...)                                                                 \
  NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Type, __VA_ARGS__)                                    \
  [[maybe_unused]] constexpr auto json_fields(const Type*) {                                            \
    using Record = Type;                                                                                \
    return std::tuple_cat(NLOHMANN_JSON_EXPAND(NLOHMANN_JSON_PASTE(LICENSOR_JSON_FIELD, __VA_ARGS__)) \
                              std::tuple<>{});                                                          \
  }
