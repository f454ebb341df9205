// Files only the effective user (root, for the system's caches) may have written: a
// 0700 folder of ours holding 0600 files of ours, reached as state_directory.hpp walks
// state paths. Caches read back through these trust nothing else; anything else reads as
// missing, never as an error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "base/state_directory.hpp"

namespace volcrypt {

// The folder when it is one of ours that no one else may enter; nothing otherwise.
std::optional<StateDirectory> open_private_directory(const std::string& directory);

// The folder, made if missing; nothing when it is not ours to use. A folder of ours that
// others could enter is closed again.
std::optional<StateDirectory> prepare_private_directory(const std::string& directory);

// The whole file, or nothing when it is not a private regular file of ours or is longer
// than max_bytes.
std::optional<std::string> read_private_file(const StateDirectory& directory,
                                             const std::string& name, size_t max_bytes);

// Writes a new 0600 temporary file beside name and renames it over name, so that readers
// see the old text or the new; false when that failed (then nothing changed).
bool write_private_file(const StateDirectory& directory, const std::string& name,
                        const std::string& text);

}  // namespace volcrypt
