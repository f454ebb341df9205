#include "dm_mapping.hpp"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <string_view>

#include "interrupted_mapping.hpp"
#include "mapping_name.hpp"

namespace volcrypt::dm {
namespace {

constexpr const char* kNoDeviceMapper =
    "device-mapper is unavailable (the running kernel has no dm-mod; load dm-mod and dm-crypt)";

enum class Match { same, different, unknown };

// unknown when either side is gone (e.g. a disconnected iSCSI disk under the mapping).
Match compare_volume(const std::string& device, const std::string& source_path) {
  struct stat source {};
  struct stat mapped {};
  if (::stat(source_path.c_str(), &source) != 0 || ::stat(device.c_str(), &mapped) != 0) {
    return Match::unknown;
  }
  return is_same_volume(device, source_path) ? Match::same : Match::different;
}

// The file a loop device reads, as the kernel reports it.
std::string loop_backing_file(dev_t loop) {
  std::ifstream in("/sys/dev/block/" + std::to_string(major(loop)) + ":" +
                   std::to_string(minor(loop)) + "/loop/backing_file");
  std::string path;
  std::getline(in, path);
  constexpr std::string_view kDeleted = " (deleted)";
  if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
  return path;
}

const char* text_or_empty(const char* text) { return text != nullptr ? text : ""; }

// Closes name; false when it was already gone.
bool deactivate(CryptLog& log, const std::string& name) {
  log.forget_errors();
  int rc = crypt_deactivate(nullptr, name.c_str());
  if (rc >= 0) return true;
  if (rc == -ENODEV) return false;
  if (rc == -EBUSY) {
    throw sdk::Error(VOLCRYPT_ERROR_BUSY, "mapping " + name + " is still in use; it was left open");
  }
  throw sdk::Error("cannot close mapping " + name + ": " + log.reason(rc));
}

}  // namespace

bool device_mapper_available() {
  // The kernel's own word: device-mapper registers this misc device when dm-mod is
  // loaded. /dev/mapper/control alone proves nothing: libdevmapper creates that node on
  // its first call even where the kernel has no device-mapper.
  struct stat info {};
  if (::stat("/sys/class/misc/device-mapper", &info) == 0) return true;
  std::ifstream misc("/proc/misc");
  std::string line;
  while (std::getline(misc, line)) {
    if (line.ends_with(" device-mapper")) return true;
  }
  return false;
}

void require_device_mapper(const std::string& mapping, const std::string& volume_id) {
  if (!device_mapper_available()) {
    throw sdk::Error("cannot open mapping " + mapping + " for volume " + volume_id + ": " +
                     kNoDeviceMapper);
  }
}

std::optional<MappingInfo> find_mapping(CryptLog& log, const std::string& name) {
  // With no device-mapper no mapping can be open; and asking libdevmapper would leave a
  // dead /dev/mapper/control behind.
  if (!device_mapper_available()) return std::nullopt;
  log.forget_errors();
  const crypt_status_info status = crypt_status(nullptr, name.c_str());
  if (status != CRYPT_ACTIVE && status != CRYPT_BUSY) {
    // A device an interrupted open left without a table only blocks the name.
    if (remove_half_opened_mapping(log, name) || status == CRYPT_INACTIVE) return std::nullopt;
    throw sdk::Error("cannot ask device-mapper about mapping " + name + ": " + log.reason(-EINVAL));
  }
  CryptDevice device;
  log.forget_errors();
  if (int rc = CryptDevice::open_mapping(log, name, device); rc < 0) {
    if (rc == -ENODEV) return std::nullopt;  // closed meanwhile
    throw sdk::Error("mapping " + name +
                     " is not a dm-crypt mapping libcryptsetup can read: " + log.reason(rc));
  }
  MappingInfo info;
  info.type = text_or_empty(crypt_get_type(device.get()));
  info.device = text_or_empty(crypt_get_device_name(device.get()));
  info.cipher = text_or_empty(crypt_get_cipher(device.get()));
  if (const std::string mode = text_or_empty(crypt_get_cipher_mode(device.get())); !mode.empty()) {
    info.cipher += "-" + mode;
  }
  info.key_size_bits = static_cast<uint32_t>(crypt_get_volume_key_size(device.get())) * 8;
  info.offset_sectors = crypt_get_data_offset(device.get());
  info.iv_offset_sectors = crypt_get_iv_offset(device.get());
  info.sector_size = static_cast<uint32_t>(crypt_get_sector_size(device.get()));
  info.in_use = status == CRYPT_BUSY;
  return info;
}

bool is_same_volume(const std::string& device, const std::string& source_path) {
  struct stat source {};
  struct stat mapped {};
  if (::stat(source_path.c_str(), &source) != 0 || ::stat(device.c_str(), &mapped) != 0) {
    return false;
  }
  if (S_ISBLK(source.st_mode)) return S_ISBLK(mapped.st_mode) && source.st_rdev == mapped.st_rdev;
  if (!S_ISREG(source.st_mode) || !S_ISBLK(mapped.st_mode)) return false;
  // libcryptsetup maps a file through a loop device it attached itself.
  const std::string backing = loop_backing_file(mapped.st_rdev);
  struct stat file {};
  if (backing.empty() || ::stat(backing.c_str(), &file) != 0) return false;
  return file.st_dev == source.st_dev && file.st_ino == source.st_ino;
}

std::optional<MappingInfo> existing_mapping_for(CryptLog& log, const std::string& name,
                                                const std::string& source_path) {
  std::optional<MappingInfo> info = find_mapping(log, name);
  if (!info) return std::nullopt;
  if (!is_same_volume(info->device, source_path)) {
    throw sdk::Error(VOLCRYPT_ERROR_BUSY, "mapping " + name + " is already open for device " +
                                              info->device + ", not for volume '" + source_path +
                                              "'");
  }
  return info;
}

void activate_mapping(CryptLog& log, CryptDevice& device, const std::string& name,
                      std::span<const uint8_t> passphrase, const std::string& volume_id) {
  // The volume key goes into the mapping's table (as LUKS1 and plain always do), not the
  // kernel keyring: crypt_resize reloads the table from it, so `volcrypt extend` needs
  // no passphrase to grow a LUKS2 mapping.
  crypt_volume_key_keyring(device.get(), 0);
  log.forget_errors();
  int rc = crypt_activate_by_passphrase(device.get(), name.c_str(), CRYPT_ANY_SLOT,
                                        reinterpret_cast<const char*>(passphrase.data()),
                                        passphrase.size(), 0);
  if (rc >= 0) return;
  if (rc == -EPERM) {
    throw sdk::Error(VOLCRYPT_ERROR_WRONG_KEY,
                     "the passphrase is wrong for volume " + volume_id + " (no key slot opens)");
  }
  if (rc == -EEXIST) {
    throw sdk::Error(VOLCRYPT_ERROR_BUSY,
                     "mapping " + name + " was opened by someone else meanwhile; left as it is");
  }
  // libcryptsetup's own words here ("name is invalid or still in use") would mislead.
  const std::string why = device_mapper_available() ? log.reason(rc) : kNoDeviceMapper;
  throw sdk::Error(rc == -EBUSY ? VOLCRYPT_ERROR_BUSY : VOLCRYPT_ERROR_FAILED,
                   "cannot open mapping " + name + " for volume " + volume_id + ": " + why);
}

MappingGuard::~MappingGuard() {
  if (!armed_) return;
  try {
    deactivate(log_, name_);
  } catch (const std::exception& e) {
    log_.host().log(VOLCRYPT_LOG_WARNING,
                    "could not close mapping " + name_ + " after a failure: " + e.what());
  }
}

void close_recorded_mapping(const sdk::Host& host, const std::string& recorded,
                            const std::string& recorded_device) {
  CryptLog log(host);
  const std::vector<std::string> names = mapping_names_to_close(recorded);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    const bool other_naming = i > 0;
    std::optional<MappingInfo> info;
    try {
      info = find_mapping(log, name);
    } catch (const sdk::Error&) {
      if (!other_naming) throw;
      continue;  // e.g. an unrelated device-mapper device that happens to have that name
    }
    if (!info) continue;
    const Match match =
        recorded_device.empty() ? Match::unknown : compare_volume(info->device, recorded_device);
    // Never close a mapping of another volume; under the other naming, only a proven one.
    if (match == Match::different ||
        (other_naming && match == Match::unknown && !recorded_device.empty())) {
      host.log(VOLCRYPT_LOG_WARNING, "mapping " + name + " maps " + info->device + ", not '" +
                                         recorded_device + "'; left open");
      continue;
    }
    if (info->in_use) {
      throw sdk::Error(VOLCRYPT_ERROR_BUSY,
                       "mapping " + name + " is still in use; it was left open");
    }
    if (deactivate(log, name)) {
      host.log(VOLCRYPT_LOG_DEBUG, "closed mapping " + name);
      return;
    }
  }
  // A close interrupted after the remove leaves the node.
  for (const auto& name : names) remove_stale_mapper_node(log, name);
  host.log(VOLCRYPT_LOG_DEBUG, "mapping " + recorded + " is already closed");
}

void release_recorded_mapping(const sdk::Host& host, const sdk::State& state) {
  const std::optional<std::string_view> mapping = state.get("mapping");
  if (!mapping || mapping->empty()) return;
  close_recorded_mapping(host, std::string(*mapping),
                         std::string(state.get("device").value_or("")));
}

}  // namespace volcrypt::dm
