// The deployer's config file (Boost.Program_options config syntax, see
// packaging/volcrypt.conf): connection URI, plugin directories, deny, rank, pin.
#pragma once

#include <string>
#include <volcrypt/settings.hpp>

namespace volcrypt::cli {

// Applies the file to settings. A missing file is an error only when required.
void apply_config_file(const std::string& path, bool required, Settings& settings);

}  // namespace volcrypt::cli
