#include "request_arguments.hpp"

#include <algorithm>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/strict_json.hpp>

namespace volcrypt::capi {
namespace {

using nlohmann::json;

bool is_option_name(const std::string& name) {
  return !name.empty() && name.front() != '-' && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

std::string value_text(const std::string& name, const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  throw Error(ErrorKind::usage, "option '" + name + "' takes text or a whole number, not " +
                                    std::string(value.type_name()));
}

}  // namespace

std::vector<std::string> command_arguments(const std::string& options_json) {
  const json options = parse_strict_json(options_json, "the call's options");
  if (!options.is_object()) {
    throw Error(ErrorKind::usage,
                "the call's options are a JSON object, not " + std::string(options.type_name()));
  }
  std::vector<std::string> arguments;
  for (const auto& [name, value] : options.items()) {
    if (!is_option_name(name)) {
      throw Error(ErrorKind::usage, "'" + printable_text(name) + "' is not an option's name");
    }
    if (name == "help" || name == "json" || name == "verbose") {
      throw Error(ErrorKind::usage, "option '" + name + "' is the program's, not a call's");
    }
    if (value.is_null() || (value.is_boolean() && !value.get<bool>())) continue;
    if (value.is_boolean()) {
      arguments.push_back("--" + name);
    } else if (value.is_array()) {
      for (const auto& item : value)
        arguments.push_back("--" + name + "=" + value_text(name, item));
    } else {
      // One token with '=': a value starting with '-' stays a value.
      arguments.push_back("--" + name + "=" + value_text(name, value));
    }
  }
  return arguments;
}

}  // namespace volcrypt::capi
