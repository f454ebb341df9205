#include "settings_output.hpp"

namespace volcrypt::cli {

SettingsReport settings_report(Engine& engine) {
  return {engine.settings().origins, engine.setting_warnings()};
}

void add_settings_json(Json& object, const SettingsReport& report) {
  Json settings = Json::array();
  for (const auto& [name, origin] : report.origins) {
    settings.push_back(Json{{"setting", name}, {"origin", origin}});
  }
  object["settings"] = std::move(settings);
  object["warnings"] = report.warnings;
}

void write_settings_text(std::ostream& out, const SettingsReport& report) {
  if (!report.origins.empty()) {
    out << "\nsettings:\n";
    for (const auto& [name, origin] : report.origins) {
      out << "  " << name << "  [" << origin << "]\n";
    }
  }
  if (!report.warnings.empty()) out << "\n";
  for (const auto& warning : report.warnings) out << "warning: " << warning << "\n";
}

}  // namespace volcrypt::cli
