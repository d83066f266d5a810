#include "args.hpp"

#include <algorithm>

namespace licensor::cli {

std::optional<std::string> args_parse(std::span<const std::string> args,
                                      std::span<const option_spec> spec, parsed_args& out) {
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (options_ended || arg == "-" || !arg.starts_with("-")) {
      out.positionals.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    if (!arg.starts_with("--")) return "unknown option " + std::string(arg);

    const auto equals = arg.find('=');
    const auto name = arg.substr(2, equals == std::string_view::npos ? arg.npos : equals - 2);
    const auto option = std::find_if(spec.begin(), spec.end(),
                                     [&](const option_spec& s) { return s.name == name; });
    if (option == spec.end()) return "unknown option --" + std::string(name);
    if (out.flag(name) || out.value(name) != nullptr) return "--" + std::string(name) + " given twice";

    if (!option->takes_value) {
      if (equals != std::string_view::npos) return "--" + std::string(name) + " takes no value";
      out.flags.emplace(name);
    } else if (equals != std::string_view::npos) {
      out.values.emplace(name, arg.substr(equals + 1));
    } else if (i + 1 < args.size()) {
      out.values.emplace(name, args[++i]);
    } else {
      return "--" + std::string(name) + " needs a value";
    }
  }
  if (out.help) return std::nullopt;
  for (const auto& option : spec)
    if (option.required && out.value(option.name) == nullptr)
      return "missing --" + std::string(option.name);
  return std::nullopt;
}

}  // namespace licensor::cli
