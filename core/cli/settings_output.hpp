// What `plugins` and `probe` both show about the deployer's settings: each setting with
// where it came from (config file path:line, an environment variable, the command
// line), and the warnings about settings that name no installed plugin.
#pragma once

#include <ostream>
#include <string>
#include <vector>
#include <volcrypt/settings.hpp>

#include "json_writer.hpp"

namespace volcrypt::cli {

// "\nsettings:\n  SETTING  [ORIGIN]\n..." (nothing when there are none).
void print_settings(std::ostream& out, const Settings& settings);
// "warning: WARNING\n" per warning.
void print_warnings(std::ostream& out, const std::vector<std::string>& warnings);

// "settings": [{"setting", "origin"}...], "warnings": [...] into the open object.
void write_settings(JsonWriter& json, const Settings& settings,
                    const std::vector<std::string>& warnings);

}  // namespace volcrypt::cli
