// The one fake host: the services of the real volcrypt core, kept in memory, for the
// conformance kit, the unit tests and the guest tests. Secrets live in a map, log lines
// are collected, facts are a profile's. The attachment services are lent by whoever owns
// the volcrypt_attachment the plugin fills: the kit's recorder (attachment_record.hpp), or
// the core's own (the tests), so a plugin meets the same rules here as in production.
// It never links the core.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace volcrypt::conformance {

// The facts' version encoding: major * 1000000 + minor * 1000 + micro.
constexpr uint64_t version_number(uint64_t major, uint64_t minor, uint64_t micro = 0) {
  return major * 1000000 + minor * 1000 + micro;
}

// The host facts a plugin is called with.
struct HostProfile {
  std::string name;  // used in check names and messages
  std::string hypervisor_type = "QEMU";
  uint64_t hypervisor_version = version_number(7, 2, 0);
  uint64_t libvirt_version = version_number(9, 0, 0);
  bool has_device_mapper = false;
  bool has_dm_crypt = false;
  // What `volcrypt host-bench` measured (ABI 1.3), bytes per second; 0: not measured.
  uint64_t cpu_aes_xts_bytes_per_second = 0;
  uint64_t qemu_luks_read_bytes_per_second = 0;
  uint64_t dm_crypt_bytes_per_second = 0;
};

// QEMU 7.2 and libvirt 9.0 (Debian 12), with and without the kernel's dm-crypt, with
// host-bench figures of such a machine.
HostProfile qemu_host_with_dm_crypt();
HostProfile qemu_host_without_dm_crypt();

class FakeHost {
 public:
  struct Secret {
    std::string uuid;
    std::vector<uint8_t> value;
  };

  // attachment_services: a table whose attachment_* services are copied (the rest of it
  // is not used).
  FakeHost(const HostProfile& profile, const volcrypt_host& attachment_services);
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const volcrypt_host* table() const { return &table_; }

  void set_hypervisor(const std::string& type, uint64_t version);
  void set_libvirt_version(uint64_t version);
  void set_device_mapper(bool has_device_mapper, bool has_dm_crypt);

  // Secrets by usage id (the volume id), as libvirt keeps them.
  std::map<std::string, Secret> secrets;
  std::vector<std::string> log_lines;
  // Makes secret_define fail, as a host without a libvirt connection would.
  bool refuse_secret_define = false;
  int define_calls() const { return define_calls_; }
  int undefine_calls() const { return undefine_calls_; }
  // A secret defined before the plugin runs (another attachment of the volume, another
  // volume's); returns its uuid.
  std::string add_secret(const std::string& usage_id, const std::vector<uint8_t>& value);
  bool has_secret_uuid(const std::string& uuid) const;

  // Makes attachment_set_source fail, to exercise a plugin's clean-up path.
  void refuse_disk_source(bool refuse);

  // check_passphrase (ABI 1.4) answers only while prepare runs, as the core's: the plugin
  // driver names the volume's file here for that time. It reads that file's LUKS header
  // with libcryptsetup (the bundled plugins' own code), unless the test set the
  // passphrase that opens the volume (a network volume has no file here).
  std::string preparing_path;
  void set_opening_passphrase(const std::string& passphrase) { opening_passphrase_ = passphrase; }
  int passphrase_checks() const { return passphrase_checks_; }

  // What format_volume (ABI 1.4) was asked while prepare runs, and answers: each call is
  // kept (passphrase included, for the test to compare) and answered with the status set
  // here (OK unless set; nothing is written), its message in the error buffer. Without the service
  // the table ends before format_volume, as a host that predates it.
  struct FormatCall {
    std::string format;
    std::string cipher;
    uint32_t key_size_bits = 0;
    std::string passphrase;
  };
  void answer_format(int32_t status, const std::string& message) {
    format_status_ = status;
    format_message_ = message;
  }
  void without_format_volume();
  const std::vector<FormatCall>& format_calls() const { return format_calls_; }

 private:
  friend struct FakeHostServices;
  std::string next_uuid();
  void refresh_facts();

  HostProfile profile_;
  volcrypt_host lent_;  // the attachment services
  volcrypt_host_facts facts_{};
  volcrypt_host table_{};
  int define_calls_ = 0;
  int undefine_calls_ = 0;
  int uuid_counter_ = 0;
  std::optional<std::string> opening_passphrase_;
  int passphrase_checks_ = 0;
  int32_t format_status_ = VOLCRYPT_OK;
  std::string format_message_;
  std::vector<FormatCall> format_calls_;
};

}  // namespace volcrypt::conformance
