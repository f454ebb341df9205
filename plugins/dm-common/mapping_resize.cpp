#include "mapping_resize.hpp"

#include <cerrno>
#include <optional>
#include <string>

#include "crypt_device.hpp"
#include "dm_mapping.hpp"

namespace volcrypt::dm {
namespace {

constexpr uint64_t kSectorBytes = 512;

std::string bytes(uint64_t sectors) { return std::to_string(sectors * kSectorBytes) + " bytes"; }

[[noreturn]] void refuse(const std::string& message) {
  throw sdk::Error(VOLCRYPT_ERROR_INVALID, message);
}

}  // namespace

uint64_t resize_recorded_mapping(const sdk::Host& host, const sdk::State& state,
                                 uint64_t new_volume_size) {
  const std::string mapping(state.get("mapping").value_or(""));
  const std::string device(state.get("device").value_or(""));
  // As release: a state without a mapping has nothing open.
  if (mapping.empty()) return 0;
  if (new_volume_size % kSectorBytes != 0) {
    refuse("a volume size of " + std::to_string(new_volume_size) +
           " bytes is not whole 512-byte sectors");
  }
  CryptLog log(host);
  const std::optional<MappingInfo> info = find_mapping(log, mapping);
  if (!info) {
    host.log(VOLCRYPT_LOG_DEBUG,
             "mapping " + mapping + " is not open; it opens at the volume's new size");
    return 0;
  }
  if (!device.empty() && !is_same_volume(info->device, device)) {
    throw sdk::Error(VOLCRYPT_ERROR_BUSY, "mapping " + mapping + " maps " + info->device +
                                              ", not '" + device + "'; left as it is");
  }
  CryptDevice handle;
  log.forget_errors();
  if (int rc = CryptDevice::open_mapping(log, mapping, handle); rc < 0) {
    throw sdk::Error("cannot read mapping " + mapping + ": " + log.reason(rc));
  }
  crypt_active_device active{};
  if (int rc = crypt_get_active_device(handle.get(), mapping.c_str(), &active); rc < 0) {
    throw sdk::Error("cannot read the size of mapping " + mapping + ": " + log.reason(rc));
  }

  // The mapping covers the volume after its data offset, in whole encryption sectors.
  const uint64_t offset = info->offset_sectors;
  const uint64_t volume_sectors = new_volume_size / kSectorBytes;
  if (volume_sectors <= offset) {
    refuse("a volume of " + std::to_string(new_volume_size) + " bytes ends before the data of " +
           "mapping " + mapping + " starts (at " + bytes(offset) + ")");
  }
  uint64_t wanted = volume_sectors - offset;
  const uint64_t per_block =
      info->sector_size > kSectorBytes ? info->sector_size / kSectorBytes : 1;
  wanted -= wanted % per_block;
  if (wanted < active.size) {
    refuse("a volume of " + std::to_string(new_volume_size) + " bytes would shrink mapping " +
           mapping + " from " + bytes(active.size) + " to " + bytes(wanted) + "; left as it is");
  }
  if (wanted == active.size) return wanted * kSectorBytes;

  // libcryptsetup also re-reads the size of a loop device it made over a grown file.
  log.forget_errors();
  if (int rc = crypt_resize(handle.get(), mapping.c_str(), wanted); rc < 0) {
    const std::string why =
        rc == -EPERM ? "its volume key is in the kernel keyring (it was opened outside volcrypt), "
                       "so resizing it needs the passphrase; close it and open it with volcrypt"
                     : log.reason(rc);
    throw sdk::Error("cannot grow mapping " + mapping + " to " + bytes(wanted) + ": " + why);
  }
  host.log(VOLCRYPT_LOG_DEBUG,
           "grew mapping " + mapping + " from " + bytes(active.size) + " to " + bytes(wanted));
  return wanted * kSectorBytes;
}

}  // namespace volcrypt::dm
