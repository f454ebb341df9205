#include "settings_output.hpp"

namespace volcrypt::cli {

void print_settings(std::ostream& out, const Settings& settings) {
  if (settings.origins.empty()) return;
  out << "\nsettings:\n";
  for (const auto& [name, origin] : settings.origins) {
    out << "  " << name << "  [" << origin << "]\n";
  }
}

void print_warnings(std::ostream& out, const std::vector<std::string>& warnings) {
  for (const auto& warning : warnings) out << "warning: " << warning << "\n";
}

void write_settings(JsonWriter& json, const Settings& settings,
                    const std::vector<std::string>& warnings) {
  json.key("settings").begin_array();
  for (const auto& [name, origin] : settings.origins) {
    json.begin_object().field("setting", name).field("origin", origin).end_object();
  }
  json.end_array().key("warnings").begin_array();
  for (const auto& warning : warnings) json.value(warning);
  json.end_array();
}

}  // namespace volcrypt::cli
