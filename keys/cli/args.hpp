// A small command-line parser: "--name value", "--name=value", boolean "--flag", positionals,
// "-" as a positional (stdin), "--" to end options, and "--help"/"-h" anywhere.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace licensor::cli {

struct option_spec {
  std::string_view name;  ///< without the leading "--"
  bool takes_value = false;
  bool required = false;  ///< a missing required option is an error (except with --help)
};

struct parsed_args {
  std::map<std::string, std::string, std::less<>> values;
  std::set<std::string, std::less<>> flags;
  std::vector<std::string> positionals;
  bool help = false;

  [[nodiscard]] bool flag(std::string_view name) const { return flags.contains(name); }
  /// The option's value, or nullptr when it was not given.
  [[nodiscard]] const std::string* value(std::string_view name) const {
    const auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
};

/// Parses `args` against `spec` into `out`. Returns an error message (unknown or repeated
/// option, missing value, value given to a flag, missing required option), or nothing.
[[nodiscard]] std::optional<std::string> args_parse(std::span<const std::string> args,
                                                    std::span<const option_spec> spec,
                                                    parsed_args& out);

}  // namespace licensor::cli
