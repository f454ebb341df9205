// What the running kernel offers dm-crypt plugins, read as both sides read it: the
// volcrypt core fills volcrypt_host_facts.has_device_mapper and .has_dm_crypt from these
// functions, and the conformance kit decides by them whether this machine keeps the
// dm-crypt host profile's promises. One detection, so that the kit never expects a
// plugin to open a mapping on a host where the core ranks it NONE. Header-only, C++20,
// Linux; it needs neither Boost nor libvirt.
#pragma once

#include <sys/utsname.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace volcrypt::kernel {

namespace detail {

inline bool path_exists(const std::filesystem::path& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

inline std::string release() {
  utsname names{};
  if (::uname(&names) != 0) return {};
  return names.release;
}

}  // namespace detail

// The kernel's own word: its misc device list. /dev/mapper/control proves nothing, since
// libdevmapper creates that node on first use even where the kernel has no
// device-mapper, and the node then stays, dead (opening it fails with ENODEV).
inline bool has_device_mapper() {
  if (detail::path_exists("/sys/class/misc/device-mapper")) return true;
  std::ifstream misc("/proc/misc");
  std::string line;
  while (std::getline(misc, line)) {
    if (line.ends_with(" device-mapper")) return true;
  }
  return false;
}

// The loaded module shows in sysfs; a module not loaded yet may still be on disk
// (modprobe loads it on the first dm-crypt table) or built into the kernel. Reading
// the device-mapper's target list would need libdevmapper, which neither side links.
inline bool has_dm_crypt() {
  if (detail::path_exists("/sys/module/dm_crypt")) return true;
  const std::string release = detail::release();
  if (release.empty()) return false;
  const std::filesystem::path modules = std::filesystem::path("/lib/modules") / release;
  const std::filesystem::path module_dir = modules / "kernel/drivers/md";
  for (const char* name : {"dm-crypt.ko", "dm-crypt.ko.xz", "dm-crypt.ko.zst", "dm-crypt.ko.gz"}) {
    if (detail::path_exists(module_dir / name)) return true;
  }
  std::ifstream builtin(modules / "modules.builtin");
  std::string line;
  while (std::getline(builtin, line)) {
    if (line.ends_with("/dm-crypt.ko")) return true;
  }
  return false;
}

}  // namespace volcrypt::kernel
