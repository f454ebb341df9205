#include "mapping_inventory.hpp"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <vector>

namespace volcrypt::guest {
namespace {

constexpr const char* kControl = "/dev/mapper/control";

class Control {
 public:
  Control() : fd_(open(kControl, O_RDWR | O_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error(std::string("cannot open ") + kControl);
  }
  ~Control() { close(fd_); }
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// A request header in a buffer with room for the kernel's answer after it.
std::vector<uint64_t> request_buffer(size_t bytes) {
  std::vector<uint64_t> buffer((bytes + sizeof(uint64_t) - 1) / sizeof(uint64_t), 0);
  auto* header = reinterpret_cast<dm_ioctl*>(buffer.data());
  header->version[0] = DM_VERSION_MAJOR;
  header->data_size = static_cast<uint32_t>(buffer.size() * sizeof(uint64_t));
  header->data_start = sizeof(dm_ioctl);
  return buffer;
}

std::string devices_below(uint64_t dev) {
  const std::filesystem::path slaves =
      "/sys/dev/block/" + std::to_string(major(dev)) + ":" + std::to_string(minor(dev)) + "/slaves";
  std::string out;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(slaves, ignored)) {
    out += (out.empty() ? "" : ",") + entry.path().filename().string();
  }
  return out;
}

std::string status_of(const std::string& name) {
  switch (crypt_status(nullptr, name.c_str())) {
    case CRYPT_INACTIVE:
      return "inactive";
    case CRYPT_ACTIVE:
      return "active";
    case CRYPT_BUSY:
      return "busy";
    default:
      return "invalid";
  }
}

}  // namespace

std::vector<DmDevice> device_mapper_devices() {
  Control control;
  for (size_t size = 16 << 10;; size *= 4) {
    std::vector<uint64_t> buffer = request_buffer(size);
    auto* header = reinterpret_cast<dm_ioctl*>(buffer.data());
    if (ioctl(control.fd(), DM_LIST_DEVICES, header) != 0) {
      throw std::runtime_error(std::string("DM_LIST_DEVICES: ") + std::strerror(errno));
    }
    if ((header->flags & DM_BUFFER_FULL_FLAG) != 0) continue;
    std::vector<DmDevice> devices;
    const char* at = reinterpret_cast<const char*>(buffer.data()) + header->data_start;
    for (;;) {
      const auto* entry = reinterpret_cast<const dm_name_list*>(at);
      if (entry->dev == 0) break;  // the kernel's mark for "no devices"
      devices.push_back({entry->name, devices_below(entry->dev), status_of(entry->name)});
      if (entry->next == 0) break;
      at += entry->next;
    }
    return devices;
  }
}

std::string describe(const DmDevice& device) {
  return device.name + (device.below.empty() ? " with no table" : " over " + device.below) + " (" +
         device.status + ")";
}

void remove_dm_device(const std::string& name) {
  Control control;
  std::vector<uint64_t> buffer = request_buffer(sizeof(dm_ioctl));
  auto* header = reinterpret_cast<dm_ioctl*>(buffer.data());
  std::strncpy(header->name, name.c_str(), sizeof header->name - 1);
  if (ioctl(control.fd(), DM_DEV_REMOVE, header) != 0 && errno != ENXIO) {
    throw std::runtime_error("cannot remove device-mapper device " + name + ": " +
                             std::strerror(errno));
  }
  std::error_code ignored;
  std::filesystem::remove("/dev/mapper/" + name, ignored);
}

std::vector<std::string> stale_mapper_nodes() {
  std::set<std::string> live;
  for (const auto& device : device_mapper_devices()) live.insert(device.name);
  std::vector<std::string> stale;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/mapper", ignored)) {
    const std::string name = entry.path().filename().string();
    if (name != "control" && !live.contains(name)) stale.push_back(entry.path().string());
  }
  return stale;
}

}  // namespace volcrypt::guest
