#include "interrupted_mapping.hpp"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

namespace volcrypt::dm {
namespace {

constexpr const char* kControl = "/dev/mapper/control";
// libcryptsetup names every device it creates CRYPT-<type>-<uuid>-<name>.
constexpr std::string_view kCryptsetupUuidPrefix = "CRYPT-";

struct DeviceStatus {
  bool live_table = false;
  int32_t open_count = 0;
  std::string uuid;
};

class ControlDevice {
 public:
  ControlDevice() : fd_(::open(kControl, O_RDWR | O_CLOEXEC)) {}
  ~ControlDevice() {
    if (fd_ >= 0) ::close(fd_);
  }
  ControlDevice(const ControlDevice&) = delete;
  ControlDevice& operator=(const ControlDevice&) = delete;
  bool usable() const { return fd_ >= 0; }

  // One request about the device called name; false with errno set when it fails.
  bool request(unsigned long command, const std::string& name, dm_ioctl& io) const {
    std::memset(&io, 0, sizeof io);
    io.version[0] = DM_VERSION_MAJOR;
    io.data_size = sizeof io;
    io.data_start = sizeof io;
    std::strncpy(io.name, name.c_str(), sizeof io.name - 1);
    return ::ioctl(fd_, command, &io) == 0;
  }

 private:
  int fd_;
};

// Nothing when device-mapper has no device called name (or cannot be asked).
std::optional<DeviceStatus> status_of(const ControlDevice& control, const std::string& name) {
  dm_ioctl io{};
  if (!control.usable() || name.empty() || name.size() >= sizeof io.name ||
      !control.request(DM_DEV_STATUS, name, io)) {
    return std::nullopt;
  }
  DeviceStatus status;
  status.live_table = (io.flags & DM_ACTIVE_PRESENT_FLAG) != 0;
  status.open_count = io.open_count;
  status.uuid.assign(io.uuid, strnlen(io.uuid, sizeof io.uuid));
  return status;
}

bool device_mapper_knows(const std::string& name) {
  dm_ioctl io{};
  ControlDevice control;
  // When it cannot be asked, the node is not proven stale.
  if (!control.usable()) return true;
  return control.request(DM_DEV_STATUS, name, io) || errno != ENXIO;
}

}  // namespace

bool remove_half_opened_mapping(CryptLog& log, const std::string& name) {
  ControlDevice control;
  const std::optional<DeviceStatus> status = status_of(control, name);
  if (!status || status->live_table || status->open_count != 0 ||
      !status->uuid.starts_with(kCryptsetupUuidPrefix)) {
    return false;
  }
  dm_ioctl io{};
  if (!control.request(DM_DEV_REMOVE, name, io)) {
    log.host().log(VOLCRYPT_LOG_WARNING,
                   "cannot remove the half-opened mapping " + name + ": " + std::strerror(errno));
    return false;
  }
  remove_stale_mapper_node(log, name);
  log.host().log(
      VOLCRYPT_LOG_INFO,
      "removed mapping " + name + ", which had no table (an open interrupted between its steps)");
  return true;
}

void remove_stale_mapper_node(CryptLog& log, const std::string& name) {
  const std::string node = "/dev/mapper/" + name;
  struct stat info {};
  if (name.empty() || name.find('/') != std::string::npos || ::lstat(node.c_str(), &info) != 0) {
    return;
  }
  if (!S_ISBLK(info.st_mode) && !S_ISLNK(info.st_mode)) return;
  if (device_mapper_knows(name)) return;
  if (::unlink(node.c_str()) == 0) {
    log.host().log(VOLCRYPT_LOG_INFO,
                   "removed " + node + ", a node left by a close interrupted between its steps");
  }
}

}  // namespace volcrypt::dm
