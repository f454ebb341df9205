// What device-mapper holds in the VM, asked of the kernel itself (DM_LIST_DEVICES on
// /dev/mapper/control), not of volcrypt: a process killed half-way through opening a
// mapping can leave a device that was created but never got its table, which neither
// sysfs nor /dev/mapper shows. Without udev, /dev/mapper nodes are libdevmapper's own
// files and can outlive their device, so they are listed separately.
#pragma once

#include <string>
#include <vector>

namespace volcrypt::guest {

struct DmDevice {
  std::string name;
  std::string below;   // the devices it maps, e.g. "loop0"; "" when it has no table
  std::string status;  // libcryptsetup's crypt_status: "active", "busy" (held open), ...
};

// Every device-mapper device of the running kernel. Throws std::runtime_error.
std::vector<DmDevice> device_mapper_devices();

// e.g. "crypt-loop0 over loop0 (busy)" or "crypt-loop0 with no table (invalid)".
std::string describe(const DmDevice& device);

// Removes the device however far it got (with or without a table) and its /dev/mapper
// node; nothing when it is gone. For test clean-up only. Throws std::runtime_error.
void remove_dm_device(const std::string& name);

// /dev/mapper entries (other than control) with no device-mapper device of that name.
std::vector<std::string> stale_mapper_nodes();

}  // namespace volcrypt::guest
