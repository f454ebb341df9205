// A fake volcrypt_host for plugin unit tests: secrets live in a map keyed by usage id,
// facts are whatever the test sets, log lines are collected. The attachment services
// are the real host's (HostServices), so plugins meet the same validation as in the core.
// A mock: for unit tests only.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugin_host/host_services.hpp"

namespace volcrypt::fakes {

struct FakeHostServices;

class FakeHost {
 public:
  struct Secret {
    std::string uuid;
    std::vector<uint8_t> value;
  };

  // Starts as this machine: QEMU 7.2.0, libvirt 9.0.0, no device-mapper.
  FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const volcrypt_host* table() const { return &table_; }

  void set_hypervisor(const std::string& type, uint64_t version);
  void set_libvirt_version(uint64_t version);
  void set_device_mapper(bool has_device_mapper, bool has_dm_crypt);

  // A secret defined before the plugin runs, e.g. by another attachment of the volume.
  std::string add_secret(const std::string& usage_id, const std::vector<uint8_t>& value);
  // By usage id.
  const std::map<std::string, Secret>& secrets() const { return secrets_; }
  int define_calls() const { return define_calls_; }
  int undefine_calls() const { return undefine_calls_; }

  // Makes attachment_set_source fail, to exercise a plugin's clean-up path.
  void refuse_disk_source(bool refuse);

  // What check_passphrase (ABI 1.4) answers: the passphrase that opens the volume.
  // Unset: the service is absent, as outside prepare.
  void set_opening_passphrase(const std::string& passphrase) { opening_passphrase_ = passphrase; }
  int passphrase_checks() const { return passphrase_checks_; }

  // What format_volume (ABI 1.4) was asked, and answers: each call is kept (passphrase
  // included, for the test to compare) and answered with the status set here (OK unless
  // set), its message in the error buffer. Without the service the table ends before
  // format_volume, as a host that predates it.
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

  const std::vector<std::string>& log_lines() const { return log_lines_; }

 private:
  friend struct FakeHostServices;
  std::string next_uuid();
  void refresh_facts();

  HostServices real_host_;  // lends its attachment services
  std::string hypervisor_type_ = "QEMU";
  volcrypt_host_facts facts_{};
  volcrypt_host table_{};
  std::map<std::string, Secret> secrets_;
  std::vector<std::string> log_lines_;
  int define_calls_ = 0;
  int undefine_calls_ = 0;
  int uuid_counter_ = 0;
  std::optional<std::string> opening_passphrase_;
  int passphrase_checks_ = 0;
  int32_t format_status_ = VOLCRYPT_OK;
  std::string format_message_;
  std::vector<FormatCall> format_calls_;
};

// The facts' version encoding: major * 1000000 + minor * 1000 + micro.
constexpr uint64_t version(uint64_t major, uint64_t minor, uint64_t micro = 0) {
  return major * 1000000 + minor * 1000 + micro;
}

}  // namespace volcrypt::fakes
