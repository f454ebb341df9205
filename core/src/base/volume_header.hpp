// What a volume holds at its start, read by the host before any plugin sees it.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <cstdint>
#include <string>
#include <volcrypt/plugin_contract.hpp>
#include <volcrypt/types.hpp>

#include "base/luks1_damage.hpp"

namespace volcrypt {

using contract::kBlankCheckBytes;

// A volume's bytes wherever they come from (a file, a block device, a network volume),
// so that one reading of headers serves them all.
struct VolumeBytes {
  std::string name;  // what messages call the volume: a path, a network source's name
  uint64_t size = 0;
  // Reads up to buffer.size() bytes at offset, fewer only at the end; throws what the
  // source's failure is (Error(not_found) for an unreadable file).
  VolumeReader read_at;
};

// The same as the path-taking functions below, on any volume's bytes.
HeaderKind read_volume_header(const VolumeBytes& volume);
uint64_t luks_payload_offset(const VolumeBytes& volume);

// LUKS1, LUKS2, blank (all zero in the first 4 MiB, or shorter and all zero) or other.
// Throws Error(not_found) when the path does not exist or cannot be read, and
// Error(refused_data) for a damaged LUKS1 header (see luks1_damage.hpp).
HeaderKind read_volume_header(const std::string& path);

// File or block device; throws Error(not_found) / Error(usage) for anything else.
volcrypt_source_kind volume_source_kind(const std::string& path);

uint32_t to_abi(HeaderKind kind);

// The volume's size in bytes: a file's length, a block device's capacity. Throws
// Error(not_found) when it cannot be read.
uint64_t volume_size_bytes(const std::string& path);

// Where a LUKS volume's encrypted data starts, in bytes: LUKS1's payload offset, LUKS2's
// data segment offset (from its JSON area). What QEMU's LUKS driver hides from the guest:
// the guest's disk is the volume's size less this. Throws Error(refused_data) for a
// volume that is not LUKS or whose header does not say, Error(not_found) when unreadable.
uint64_t luks_payload_offset(const std::string& path);

}  // namespace volcrypt
