#include "base/luks1_damage.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace volcrypt {
namespace {

// Offsets in the LUKS1 on-disk format (big-endian fields).
constexpr size_t kPayloadOffsetAt = 104;  // in 512-byte sectors
constexpr size_t kKeyBytesAt = 108;
constexpr size_t kKeySlotsAt = 208;
constexpr size_t kKeySlotBytes = 48;
constexpr size_t kKeySlotCount = 8;
constexpr size_t kSlotMaterialOffsetAt = 40;  // in sectors, within a key slot
constexpr size_t kSlotStripesAt = 44;
constexpr uint32_t kSlotActive = 0x00AC71F3;
constexpr uint32_t kSlotDisabled = 0x0000DEAD;
constexpr uint64_t kSectorBytes = 512;
// cryptsetup's own limit on a volume key.
constexpr uint32_t kMaxKeyBytes = 512;

uint32_t big_endian_u32(std::span<const uint8_t> bytes, size_t at) {
  return (uint32_t{bytes[at]} << 24) | (uint32_t{bytes[at + 1]} << 16) |
         (uint32_t{bytes[at + 2]} << 8) | uint32_t{bytes[at + 3]};
}

// True when the range holds a non-zero byte; stops at the first one (real key
// material is encrypted, so that comes at once).
bool has_nonzero_byte(const VolumeReader& read_at, uint64_t offset, uint64_t length) {
  std::vector<uint8_t> chunk(64 * 1024);
  while (length > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(chunk.size(), length));
    const size_t got = read_at(offset, std::span(chunk).first(want));
    if (std::any_of(chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(got),
                    [](uint8_t b) { return b != 0; })) {
      return true;
    }
    if (got < want) return false;
    offset += got;
    length -= got;
  }
  return false;
}

}  // namespace

std::optional<std::string> luks1_damage(uint64_t volume_size, const VolumeReader& read_at) {
  if (volume_size < kLuks1HeaderBytes) {
    return "the volume ends after " + std::to_string(volume_size) + " bytes, inside the " +
           std::to_string(kLuks1HeaderBytes) + "-byte LUKS1 header";
  }
  std::array<uint8_t, kLuks1HeaderBytes> header{};
  if (read_at(0, header) < header.size()) {
    return std::string("the LUKS1 header cannot be read whole");
  }
  const uint32_t key_bytes = big_endian_u32(header, kKeyBytesAt);
  if (key_bytes == 0 || key_bytes > kMaxKeyBytes) {
    return "its key size of " + std::to_string(key_bytes) + " bytes is impossible";
  }
  const uint64_t data_start = uint64_t{big_endian_u32(header, kPayloadOffsetAt)} * kSectorBytes;
  if (data_start > volume_size) {
    return "the volume ends after " + std::to_string(volume_size) +
           " bytes, before its data starts at byte " + std::to_string(data_start);
  }
  size_t active = 0;
  for (size_t slot = 0; slot < kKeySlotCount; ++slot) {
    const auto fields =
        std::span<const uint8_t>(header).subspan(kKeySlotsAt + slot * kKeySlotBytes, kKeySlotBytes);
    const uint32_t state = big_endian_u32(fields, 0);
    const std::string name = "key slot " + std::to_string(slot);
    if (state == kSlotDisabled) continue;
    if (state != kSlotActive) return name + " is neither active nor disabled";
    ++active;
    const uint64_t material_start =
        uint64_t{big_endian_u32(fields, kSlotMaterialOffsetAt)} * kSectorBytes;
    const uint64_t material_bytes = uint64_t{key_bytes} * big_endian_u32(fields, kSlotStripesAt);
    if (material_start < kLuks1HeaderBytes || material_bytes == 0) {
      return name + " has no room for its key material";
    }
    if (material_start + material_bytes > volume_size) {
      return "the volume ends after " + std::to_string(volume_size) +
             " bytes, inside the key "
             "material of " +
             name;
    }
    if (!has_nonzero_byte(read_at, material_start, material_bytes)) {
      return "the key material of " + name + " is all zero";
    }
  }
  if (active == 0) return std::string("it has no active key slot");
  return std::nullopt;
}

}  // namespace volcrypt
