// Files only the effective user (root, for the system's caches) may have written: a
// 0700 folder of ours holding 0600 files of ours. Caches read back through these trust
// nothing else; anything else reads as missing, never as an error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace volcrypt {

// Whether directory is a folder of ours that no one else may enter.
bool is_private_directory(const std::string& directory);

// The folder, made if missing; false when it is not ours to use. A folder of ours that
// others could enter is closed again.
bool prepare_private_directory(const std::string& directory);

// The whole file, or nothing when it is not a private regular file of ours or is longer
// than max_bytes.
std::optional<std::string> read_private_file(const std::string& path, size_t max_bytes);

// Writes a 0600 temporary file beside path and renames it over path, so that readers see
// the old text or the new; false when that failed (then nothing changed).
bool write_private_file(const std::string& path, const std::string& text);

}  // namespace volcrypt
