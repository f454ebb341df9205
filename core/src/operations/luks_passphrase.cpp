#include "operations/luks_passphrase.hpp"

#include <libcryptsetup.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <volcrypt/error.hpp>

#include "base/file_descriptor.hpp"
#include "base/write_all.hpp"

namespace volcrypt {
namespace {

struct CryptFree {
  void operator()(crypt_device* device) const { crypt_free(device); }
};

std::string reason(int rc) { return std::strerror(rc < 0 ? -rc : rc); }

}  // namespace

bool luks_passphrase_opens(const std::string& header_path, const std::string& volume_name,
                           std::span<const uint8_t> passphrase) {
  crypt_device* raw = nullptr;
  int rc = crypt_init(&raw, header_path.c_str());
  if (rc < 0) {
    throw Error(ErrorKind::not_found,
                "cannot open volume '" + volume_name + "' to check the passphrase: " + reason(rc));
  }
  std::unique_ptr<crypt_device, CryptFree> device(raw);
  rc = crypt_load(device.get(), CRYPT_LUKS, nullptr);
  if (rc == -EINVAL) {
    throw Error(ErrorKind::refused_data,
                "the LUKS header of volume '" + volume_name + "' is damaged or not LUKS");
  }
  if (rc < 0) {
    throw Error(ErrorKind::plugin_failed,
                "cannot read the LUKS header of volume '" + volume_name + "': " + reason(rc));
  }
  // A null name only tries the key slots: nothing is mapped, no device-mapper is asked,
  // and without the kernel keyring LUKS2 does not ask it either.
  crypt_volume_key_keyring(device.get(), 0);
  rc = crypt_activate_by_passphrase(device.get(), nullptr, CRYPT_ANY_SLOT,
                                    reinterpret_cast<const char*>(passphrase.data()),
                                    passphrase.size(), 0);
  if (rc >= 0) return true;
  if (rc == -EPERM) return false;
  throw Error(ErrorKind::plugin_failed,
              "cannot check the passphrase for volume '" + volume_name + "': " + reason(rc));
}

bool luks_header_passphrase_opens(std::span<const uint8_t> header_area,
                                  const std::string& volume_name,
                                  std::span<const uint8_t> passphrase) {
  FileDescriptor file(memfd_create("volcrypt-luks-header", MFD_CLOEXEC));
  if (file.get() < 0) {
    throw Error(ErrorKind::internal, "cannot make an in-memory copy of the header of volume '" +
                                         volume_name + "': " + std::strerror(errno));
  }
  const std::string_view bytes(reinterpret_cast<const char*>(header_area.data()),
                               header_area.size());
  if (!write_all(file.get(), bytes)) {
    throw Error(ErrorKind::internal, "cannot copy the header of volume '" + volume_name +
                                         "' into memory: " + std::strerror(errno));
  }
  return luks_passphrase_opens("/proc/self/fd/" + std::to_string(file.get()), volume_name,
                               passphrase);
}

}  // namespace volcrypt
