#include "host_debris.hpp"

#include <fcntl.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace volcrypt::test {
namespace {

// Where volcrypt keeps its intents (README, crash safety).
std::filesystem::path intent_folder() {
  const char* state = std::getenv("VOLCRYPT_STATE_DIR");
  return std::filesystem::path(state != nullptr && *state != '\0' ? state : "/run/volcrypt") /
         "intents";
}

std::string text_of(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

struct ControlFd {
  int fd = ::open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
  ~ControlFd() {
    if (fd >= 0) ::close(fd);
  }
};

// One device-mapper request with room for its answer; nullptr when the kernel refuses.
struct DmRequest {
  alignas(dm_ioctl) char buffer[16384] = {};
  dm_ioctl* header() { return reinterpret_cast<dm_ioctl*>(buffer); }

  explicit DmRequest(const std::string& name = "") {
    header()->version[0] = DM_VERSION_MAJOR;
    header()->data_size = sizeof buffer;
    header()->data_start = sizeof(dm_ioctl);
    std::strncpy(header()->name, name.c_str(), sizeof header()->name - 1);
  }
  bool send(int fd, unsigned long request) { return ::ioctl(fd, request, buffer) == 0; }
};

std::vector<std::string> device_names(int control) {
  DmRequest list;
  if (!list.send(control, DM_LIST_DEVICES)) return {};
  std::vector<std::string> names;
  const char* at = list.buffer + list.header()->data_start;
  const char* end = list.buffer + sizeof list.buffer;
  for (auto* entry = reinterpret_cast<const dm_name_list*>(at);
       at + sizeof(dm_name_list) <= end && entry->dev != 0;
       entry = reinterpret_cast<const dm_name_list*>(at)) {
    names.emplace_back(entry->name);
    if (entry->next == 0) break;
    at += entry->next;
  }
  return names;
}

}  // namespace

std::vector<std::string> device_mapper_debris() {
  std::vector<std::string> debris;
  const ControlFd control;  // fails on a host without device-mapper: then no devices
  std::set<std::string> devices;
  for (const auto& name : control.fd >= 0 ? device_names(control.fd) : std::vector<std::string>{}) {
    devices.insert(name);
    DmRequest status(name);
    if (!status.send(control.fd, DM_DEV_STATUS)) continue;  // removed meanwhile
    const uint32_t flags = status.header()->flags;
    if (flags & DM_SUSPEND_FLAG) debris.push_back("device-mapper device " + name + " is suspended");
    if (!(flags & DM_ACTIVE_PRESENT_FLAG)) {
      debris.push_back("device-mapper device " + name + " has no table");
    }
  }
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/mapper", error)) {
    const std::string name = entry.path().filename().string();
    if (name != "control" && !devices.contains(name)) {
      debris.push_back("/dev/mapper/" + name + " has no device-mapper device");
    }
  }
  return debris;
}

std::vector<std::string> debris_after_recover(const std::string& domain_uuid,
                                              const std::string& domain_name) {
  std::vector<std::string> debris;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(intent_folder(), error)) {
    const std::string name = entry.path().filename().string();
    const bool temporary = name.ends_with(".new");
    const bool names_domain =
        (!domain_uuid.empty() && name.find(domain_uuid) != std::string::npos) ||
        (temporary &&
         ((!domain_uuid.empty() && text_of(entry.path()).find(domain_uuid) != std::string::npos) ||
          text_of(entry.path()).find("\"" + domain_name + "\"") != std::string::npos));
    if (names_domain) debris.push_back("intent file " + entry.path().string() + " is left");
  }
  for (const auto& line : device_mapper_debris()) debris.push_back(line);
  return debris;
}

}  // namespace volcrypt::test
