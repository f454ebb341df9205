// What the running kernel offers volcrypt (device-mapper, dm-crypt): facts that need
// no libvirt, so a plugin helper process can read them too.
#include <sys/utsname.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "domain/host_facts.hpp"

namespace volcrypt {
namespace {

bool path_exists(const std::filesystem::path& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

std::string kernel_release() {
  utsname names{};
  if (uname(&names) != 0) return {};
  return names.release;
}

// The loaded module shows in sysfs; a module not loaded yet may still be on disk
// (modprobe would load it on the first dm-crypt table) or built into the kernel.
// Reading the device-mapper's target list needs libdevmapper, which the core avoids.
bool dm_crypt_available() {
  if (path_exists("/sys/module/dm_crypt")) return true;
  const std::string release = kernel_release();
  if (release.empty()) return false;
  const std::filesystem::path modules = std::filesystem::path("/lib/modules") / release;
  const std::filesystem::path module_dir = modules / "kernel/drivers/md";
  for (const char* name : {"dm-crypt.ko", "dm-crypt.ko.xz", "dm-crypt.ko.zst", "dm-crypt.ko.gz"}) {
    if (path_exists(module_dir / name)) return true;
  }
  std::ifstream builtin(modules / "modules.builtin");
  std::string line;
  while (std::getline(builtin, line)) {
    if (line.ends_with("/dm-crypt.ko")) return true;
  }
  return false;
}

// The kernel's own word: its misc device list. /dev/mapper/control proves nothing,
// since libdevmapper creates that node on first use even where the kernel has none.
bool kernel_has_device_mapper() {
  if (path_exists("/sys/class/misc/device-mapper")) return true;
  std::ifstream misc("/proc/misc");
  std::string line;
  while (std::getline(misc, line)) {
    if (line.ends_with(" device-mapper")) return true;
  }
  return false;
}

}  // namespace

void detect_device_mapper(HostFacts& facts) {
  facts.has_device_mapper = kernel_has_device_mapper();
  facts.has_dm_crypt = dm_crypt_available();
}

}  // namespace volcrypt
