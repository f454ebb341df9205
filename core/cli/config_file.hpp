// The deployer's config file (Boost.Program_options config syntax, see
// packaging/volcrypt.conf): connection URI, plugin directories, deny, rank, pin, key
// directory, detach and probe timeouts.
#pragma once

#include <string>
#include <volcrypt/settings.hpp>

namespace volcrypt::cli {

// A config file is a few lines; anything this large is a wrong path.
inline constexpr size_t kMaxConfigFileBytes = 1024 * 1024;
// A plugin that needs longer than ten minutes to read its metadata or probe is hung.
inline constexpr int32_t kMaxProbeTimeoutMs = 600000;

// Applies the file to settings. A missing file is an error only when required; one
// that is not a regular file or is larger than kMaxConfigFileBytes always is (usage).
void apply_config_file(const std::string& path, bool required, Settings& settings);

}  // namespace volcrypt::cli
