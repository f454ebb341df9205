// A plugin runs as root inside the host: refuse files and folders others can change.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace volcrypt {

// Why path may not be trusted (owned by someone other than root or the running user,
// or writable by group or others), or nothing when it is fine.
std::optional<std::string> untrusted_reason(const std::filesystem::path& path);

}  // namespace volcrypt
