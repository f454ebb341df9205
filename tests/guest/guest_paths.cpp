#include "guest_paths.hpp"

#include <filesystem>
#include <fstream>

namespace volcrypt::guest {

std::string program_dir() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path().string();
}

std::string volcrypt_program() { return program_dir() + "/volcrypt"; }

std::string plugin_file(const std::string& plugin_id) {
  return program_dir() + "/plugins/" + plugin_id + ".so";
}

std::string shared_disk(const std::string& serial) { return "/run/guest-disks/" + serial; }

std::string shared_passphrase_file() { return "/run/guest-disks/passphrase"; }

std::string runner_setting(const std::string& name) {
  std::ifstream in(program_dir() + "/../guest/" + name);
  std::string value;
  std::getline(in, value);
  return value;
}

}  // namespace volcrypt::guest
