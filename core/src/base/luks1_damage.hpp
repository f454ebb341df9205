// A LUKS1 header that no passphrase can open because it is damaged (cut short, key
// material wiped): said so, rather than blamed on the passphrase.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace volcrypt {

// The LUKS1 header ("phdr") is this long; the key slots' material follows it.
inline constexpr uint64_t kLuks1HeaderBytes = 592;

// Reads up to buffer.size() bytes of the volume at offset; fewer only at its end.
using VolumeReader = std::function<size_t(uint64_t offset, std::span<uint8_t> buffer)>;

// What is wrong with the LUKS1 header of a volume of volume_size bytes, or nothing:
// the volume ends inside the header, before its key material or before its data; a
// key size or key slot state no LUKS1 writer makes; no active key slot; an active key
// slot whose material is all zero (wiped).
std::optional<std::string> luks1_damage(uint64_t volume_size, const VolumeReader& read_at);

}  // namespace volcrypt
