// What `plugins` and `probe` both show about the deployer's settings: each setting with
// where it came from (config file path:line, an environment variable, the command
// line), and the warnings about settings that name no installed plugin.
#pragma once

#include <map>
#include <ostream>
#include <string>
#include <vector>
#include <volcrypt/engine.hpp>

#include "json_output.hpp"

namespace volcrypt::cli {

struct SettingsReport {
  std::map<std::string, std::string> origins;  // setting -> where it came from
  std::vector<std::string> warnings;
};

SettingsReport settings_report(Engine& engine);

// "settings": [{"setting", "origin"}...], "warnings": [...] added to object.
void add_settings_json(Json& object, const SettingsReport& report);
// "\nsettings:\n  SETTING  [ORIGIN]\n..." (nothing when there are none), then a blank
// line and "warning: WARNING\n" per warning, if any.
void write_settings_text(std::ostream& out, const SettingsReport& report);

}  // namespace volcrypt::cli
