// The devices device-mapper has, asked of the kernel itself (DM_LIST_DEVICES). A listing
// of /dev/mapper would show nodes a killed close left behind and miss devices a killed
// open left without a table (the kernel makes no block device for them yet).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace volcrypt {

struct DeviceMapperDevice {
  std::string name;
  std::string uuid;         // e.g. "CRYPT-LUKS2-<uuid>-<name>" for libcryptsetup's
  bool live_table = false;  // false: created but never resumed with a table
};

// Nothing when this host has no device-mapper or it cannot be asked (not root).
std::optional<std::vector<DeviceMapperDevice>> device_mapper_devices();

}  // namespace volcrypt
