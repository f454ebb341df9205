// The volume secret of a plugin whose decryption runs inside QEMU (QEMU's LUKS, librbd's):
// defined through the host, named in the record as "secret-uuid", and undone on failure
// only when this call made it. Header-only, shared by the bundled native plugins.
#pragma once

#include <exception>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <volcrypt/plugin.hpp>

namespace volcrypt::native_secret {

inline constexpr const char* kSecretUuidKey = "secret-uuid";

// Defines the volume's secret holding key, then describe(uuid) tells the host about the
// disk and sets the plugin's state (kSecretUuidKey included). A secret that already
// existed (secret_existed: another attachment of a shareable volume, as the caller looked
// it up) is reused and never removed; one this call made goes again when describe throws.
// Returns the uuid.
template <typename Describe>
std::string define_and_describe(const sdk::Host& host, const std::string& volume_id,
                                std::span<const uint8_t> key, bool secret_existed,
                                Describe&& describe) {
  const std::string uuid = host.define_secret(volume_id, key);
  try {
    describe(uuid);
  } catch (...) {
    if (!secret_existed) {
      try {
        host.undefine_secret(uuid);
      } catch (const std::exception& e) {
        host.log(VOLCRYPT_LOG_WARNING,
                 "could not undefine secret " + uuid + " after a failure: " + e.what());
      }
    }
    throw;
  }
  return uuid;
}

// release: the secret the state names goes (the host keeps one still in use).
inline void release(const sdk::Host& host, const sdk::State& state) {
  std::optional<std::string_view> uuid = state.get(kSecretUuidKey);
  if (!uuid || uuid->empty()) return;
  host.log(VOLCRYPT_LOG_DEBUG, "undefining secret " + std::string(*uuid));
  host.undefine_secret(std::string(*uuid));
}

// claims_disk's answer for a disk whose <encryption> names the secret this plugin would
// have made: state for release.
inline sdk::DiskClaim claim(const sdk::Disk& disk, std::string reason) {
  return {
      VOLCRYPT_RANK_PRIMARY, std::move(reason), {{kSecretUuidKey, std::string(disk.secret_uuid)}}};
}

}  // namespace volcrypt::native_secret
