// The host the conformance kit offers a plugin: the services of the real volcrypt core,
// kept in memory. Secrets live in a map, log lines are collected, and the attachment
// services validate their arguments as the core does, so a plugin meets the same rules
// here as in production without libvirt.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The ABI leaves this type to the host; this is the conformance kit's.
struct volcrypt_attachment {
  int source_calls = 0;
  uint32_t source_kind = VOLCRYPT_SOURCE_FILE;
  std::string source_path;
  std::optional<std::pair<std::string, std::string>> native_encryption;  // format, secret uuid
  std::string encryption_engine;  // ABI 1.4; empty: never set (QEMU decrypts)
  std::map<std::string, std::string> state;
  std::vector<std::string> refusals;  // what the host refused, in words
};

namespace volcrypt::conformance {

// The host facts a check runs with.
struct HostProfile {
  std::string name;  // used in check names and messages
  std::string hypervisor_type;
  uint64_t hypervisor_version = 0;
  uint64_t libvirt_version = 0;
  bool has_dm_crypt = false;
  // What `volcrypt host-bench` measured (ABI 1.3), bytes per second.
  uint64_t cpu_aes_xts_bytes_per_second = 0;
  uint64_t qemu_luks_read_bytes_per_second = 0;
  uint64_t dm_crypt_bytes_per_second = 0;
};

// QEMU 7.2 and libvirt 9.0 (Debian 12), with and without the kernel's dm-crypt.
HostProfile qemu_host_with_dm_crypt();
HostProfile qemu_host_without_dm_crypt();

class FakeHost {
 public:
  struct Secret {
    std::string uuid;
    std::vector<uint8_t> value;
  };

  explicit FakeHost(const HostProfile& profile);
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const volcrypt_host* table() const { return &table_; }

  // Secrets by usage id (the volume id), as libvirt keeps them.
  std::map<std::string, Secret> secrets;
  std::vector<std::string> log_lines;
  // Makes secret_define fail, as a host without a libvirt connection would.
  bool refuse_secret_define = false;

  // The volume file check_passphrase (ABI 1.4) reads while prepare runs; empty
  // otherwise, when the service refuses, as the core's does outside prepare.
  std::string preparing_path;

  // A secret of another volume: a plugin must never touch it.
  void add_unrelated_secret();
  bool has_secret_uuid(const std::string& uuid) const;

 private:
  std::string next_uuid();

  HostProfile profile_;
  volcrypt_host_facts facts_{};
  volcrypt_host table_{};
  int uuid_counter_ = 0;
};

}  // namespace volcrypt::conformance
