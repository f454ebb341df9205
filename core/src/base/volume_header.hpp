// What a volume holds at its start, read by the host before any plugin sees it.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <string>
#include <volcrypt/plugin_contract.hpp>
#include <volcrypt/types.hpp>

namespace volcrypt {

using contract::kBlankCheckBytes;

// LUKS1, LUKS2, blank (all zero in the first 4 MiB, or shorter and all zero) or other.
// Throws Error(not_found) when the path does not exist or cannot be read, and
// Error(refused_data) for a damaged LUKS1 header (see luks1_damage.hpp).
HeaderKind read_volume_header(const std::string& path);

// File or block device; throws Error(not_found) / Error(usage) for anything else.
volcrypt_source_kind volume_source_kind(const std::string& path);

uint32_t to_abi(HeaderKind kind);

}  // namespace volcrypt
