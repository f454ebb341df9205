#include "direct_mapping.hpp"

#include <libcryptsetup.h>

#include <cstring>
#include <stdexcept>

#include "block_io.hpp"

namespace volcrypt::guest {
namespace {

struct Device {
  crypt_device* handle = nullptr;
  ~Device() {
    if (handle != nullptr) crypt_free(handle);
  }
};

std::string failure(const std::string& what, int rc) { return what + ": " + std::strerror(-rc); }

}  // namespace

std::string mapper_path(const std::string& name) { return "/dev/mapper/" + name; }

void open_luks_mapping(const std::string& path, std::string_view passphrase,
                       const std::string& name) {
  Device device;
  int rc = crypt_init(&device.handle, path.c_str());
  if (rc < 0) throw std::runtime_error(failure("crypt_init " + path, rc));
  rc = crypt_load(device.handle, CRYPT_LUKS, nullptr);
  if (rc < 0) throw std::runtime_error(failure("crypt_load " + path, rc));
  rc = crypt_activate_by_passphrase(device.handle, name.c_str(), CRYPT_ANY_SLOT, passphrase.data(),
                                    passphrase.size(), 0);
  if (rc < 0) throw std::runtime_error(failure("opening " + path + " as " + name, rc));
}

void open_plain_mapping(const std::string& path, std::string_view passphrase,
                        const std::string& name) {
  Device device;
  int rc = crypt_init(&device.handle, path.c_str());
  if (rc < 0) throw std::runtime_error(failure("crypt_init " + path, rc));
  crypt_params_plain params{};
  params.hash = "sha256";
  rc =
      crypt_format(device.handle, CRYPT_PLAIN, "aes", "xts-plain64", nullptr, nullptr, 32, &params);
  if (rc < 0) throw std::runtime_error(failure("plain set-up of " + path, rc));
  rc = crypt_activate_by_passphrase(device.handle, name.c_str(), CRYPT_ANY_SLOT, passphrase.data(),
                                    passphrase.size(), 0);
  if (rc < 0) throw std::runtime_error(failure("opening " + path + " as plain " + name, rc));
}

void close_mapping(const std::string& name) {
  if (!path_exists(mapper_path(name))) return;
  Device device;
  int rc = crypt_init_by_name(&device.handle, name.c_str());
  if (rc < 0) throw std::runtime_error(failure("crypt_init_by_name " + name, rc));
  rc = crypt_deactivate(device.handle, name.c_str());
  if (rc < 0) throw std::runtime_error(failure("closing " + name, rc));
}

void write_through_luks(const std::string& path, std::string_view passphrase, uint8_t pattern,
                        size_t length) {
  const std::string name = "vc-guest-seed";
  open_luks_mapping(path, passphrase, name);
  try {
    write_pattern(mapper_path(name), pattern, length);
  } catch (...) {
    close_mapping(name);
    throw;
  }
  close_mapping(name);
}

}  // namespace volcrypt::guest
