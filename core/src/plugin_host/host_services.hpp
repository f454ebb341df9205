// The table of host services handed to plugins (see plugin_abi.h), backed by a secret
// store (libvirt's, in the volcrypt process), the host facts and the engine's log sink.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>

#include "model/disk.hpp"
#include "model/host_facts.hpp"

namespace volcrypt {
class SecretStore;
}  // namespace volcrypt

// What a plugin's prepare described; opaque to plugins.
struct volcrypt_attachment {
  std::optional<volcrypt_source_kind> source_kind;
  std::string source_path;
  std::optional<volcrypt::NativeEncryption> encryption;
  std::map<std::string, std::string> state;
  // Called after each state entry is set, so the operation can journal it before the
  // plugin makes what it names (a kill in between then leaves something to release).
  std::function<void()> state_set;
};

namespace volcrypt {

// What a plugin asked format_volume for: "luks" or "luks2"; the cipher and key size, empty
// and 0 for the default (aes-xts-plain64, 512 bits).
struct VolumeFormatRequest {
  std::string format;
  std::string cipher;
  uint32_t key_size_bits = 0;
};

class HostServices {
 public:
  using Log = std::function<void(int level, const std::string& message)>;
  // secrets may be null (a helper process, plugin checks): the secret services then
  // refuse. Secrets may be defined and undefined only when the store allows it (an
  // attach or detach under its SecretGuard); a probe may only look them up.
  HostServices(SecretStore* secrets, HostFacts facts, Log log);
  // The facts are gathered when the plugin first asks for them: a release rarely does,
  // and gathering them costs round trips to libvirtd.
  HostServices(SecretStore* secrets, std::function<HostFacts()> facts_source, Log log);
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  const volcrypt_host* table() const { return &table_; }

  // Whether a passphrase opens the volume being prepared (check_passphrase, ABI 1.4):
  // true or false, or throws Error when it cannot tell. Unset: the service refuses.
  using PassphraseCheck = std::function<bool(std::span<const uint8_t> passphrase)>;
  void set_passphrase_check(PassphraseCheck check) { passphrase_check_ = std::move(check); }

  // Formats the blank volume being prepared (format_volume, ABI 1.4), or throws Error:
  // no_plugin becomes NOT_SUPPORTED, usage INVALID, refused_data REFUSED_DATA. Unset: the
  // service refuses (NOT_SUPPORTED).
  using VolumeFormat =
      std::function<void(const VolumeFormatRequest& request, std::span<const uint8_t> passphrase)>;
  void set_volume_format(VolumeFormat format) { volume_format_ = std::move(format); }

 private:
  void set_facts(HostFacts facts);
  const volcrypt_host_facts* abi_facts();

  SecretStore* secrets_;
  HostFacts facts_;
  std::function<HostFacts()> facts_source_;
  volcrypt_host_facts abi_facts_{};
  Log log_;
  PassphraseCheck passphrase_check_;
  VolumeFormat volume_format_;
  volcrypt_host table_{};
};

}  // namespace volcrypt
