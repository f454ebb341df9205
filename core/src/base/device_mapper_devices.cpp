#include "base/device_mapper_devices.hpp"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace volcrypt {
namespace {

constexpr const char* kControl = "/dev/mapper/control";

class Control {
 public:
  Control() : fd_(::open(kControl, O_RDWR | O_CLOEXEC)) {}
  ~Control() {
    if (fd_ >= 0) ::close(fd_);
  }
  Control(const Control&) = delete;
  Control& operator=(const Control&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// A request header at the start of an 8-byte aligned buffer with room for the answer.
std::vector<uint64_t> request_buffer(size_t bytes, const std::string& name = {}) {
  std::vector<uint64_t> buffer((bytes + sizeof(uint64_t) - 1) / sizeof(uint64_t), 0);
  auto* io = reinterpret_cast<dm_ioctl*>(buffer.data());
  io->version[0] = DM_VERSION_MAJOR;
  io->data_size = static_cast<uint32_t>(buffer.size() * sizeof(uint64_t));
  io->data_start = sizeof(dm_ioctl);
  std::strncpy(io->name, name.c_str(), sizeof io->name - 1);
  return buffer;
}

std::optional<std::vector<std::string>> device_names(const Control& control) {
  for (size_t size = 16 << 10; size <= (16 << 20); size *= 4) {
    std::vector<uint64_t> buffer = request_buffer(size);
    auto* io = reinterpret_cast<dm_ioctl*>(buffer.data());
    if (::ioctl(control.fd(), DM_LIST_DEVICES, io) != 0) return std::nullopt;
    if ((io->flags & DM_BUFFER_FULL_FLAG) != 0) continue;
    std::vector<std::string> names;
    const char* at = reinterpret_cast<const char*>(buffer.data()) + io->data_start;
    const char* end = reinterpret_cast<const char*>(buffer.data()) + io->data_size;
    while (at + sizeof(dm_name_list) <= end) {
      const auto* entry = reinterpret_cast<const dm_name_list*>(at);
      if (entry->dev == 0) break;  // the kernel's mark for "no devices"
      names.emplace_back(entry->name, strnlen(entry->name, end - entry->name));
      if (entry->next == 0) break;
      at += entry->next;
    }
    return names;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<DeviceMapperDevice>> device_mapper_devices() {
  Control control;
  if (control.fd() < 0) return std::nullopt;
  const auto names = device_names(control);
  if (!names) return std::nullopt;
  std::vector<DeviceMapperDevice> devices;
  for (const auto& name : *names) {
    std::vector<uint64_t> buffer = request_buffer(sizeof(dm_ioctl), name);
    auto* io = reinterpret_cast<dm_ioctl*>(buffer.data());
    // Gone between the listing and this question: no longer there to report.
    if (::ioctl(control.fd(), DM_DEV_STATUS, io) != 0) continue;
    devices.push_back({name, std::string(io->uuid, strnlen(io->uuid, sizeof io->uuid)),
                       (io->flags & DM_ACTIVE_PRESENT_FLAG) != 0});
  }
  return devices;
}

}  // namespace volcrypt
