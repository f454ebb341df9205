#include "json_input.hpp"

#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

namespace volcrypt::cli {
namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] ": ours name the file.
std::string without_exception_id(const std::string& message) {
  if (message.starts_with("[json.exception.")) {
    if (auto end = message.find("] "); end != std::string::npos) return message.substr(end + 2);
  }
  return message;
}

}  // namespace

nlohmann::json parse_json_input(std::string_view text, const std::string& where) {
  // The callback sees each container open before its contents are parsed, so a
  // document nested too deeply is refused at the first bracket past the cap.
  const auto limit_depth = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    const bool opens = event == nlohmann::json::parse_event_t::object_start ||
                       event == nlohmann::json::parse_event_t::array_start;
    if (opens && depth >= kMaxJsonDepth) {
      throw Error(ErrorKind::usage, where + " nests JSON deeper than the limit of " +
                                        std::to_string(kMaxJsonDepth) + " levels");
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), limit_depth);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(ErrorKind::usage,
                where + " is not valid JSON: " + printable_text(without_exception_id(e.what())));
  }
}

}  // namespace volcrypt::cli
