#include "judging.hpp"

#include <unistd.h>

#include <volcrypt/host_kernel.hpp>

#include "attachment_record.hpp"
#include "secret_witness.hpp"

namespace volcrypt::conformance {
namespace {

// Which secret text gives away, if any: the key, or a value the plugin defined as a
// secret (a passphrase it derived). Named, never shown.
std::optional<std::string> secret_in(const std::string& text) {
  if (holds_in_any_form(text, kScratchPassphrase)) return std::string("the key");
  if (holds_defined_secret(text)) return std::string("a value the plugin gave secret_define");
  return std::nullopt;
}

// Whether this user may open device-mapper's control node: root may (libdevmapper
// creates the node where it is missing), another user only where it is opened to them.
bool may_use_device_mapper() {
  return ::geteuid() == 0 || ::access("/dev/mapper/control", R_OK | W_OK) == 0;
}

}  // namespace

std::optional<std::string> key_leak(const FakeHost& host, const CallOutcome& call,
                                    const volcrypt_attachment& attachment) {
  if (auto what = secret_in(call.error)) return *what + " appears in the error message";
  for (const std::string& line : host.log_lines) {
    if (auto what = secret_in(line)) return *what + " appears in a log message";
  }
  for (const auto& [key, value] : attachment.state) {
    if (auto what = secret_in(key))
      return *what + " appears in a state key (the record is not secret)";
    if (auto what = secret_in(value)) {
      return *what + " appears in the state entry '" + key + "' (the record is not secret)";
    }
  }
  if (auto what = secret_in(attachment.source_path)) return *what + " appears in the disk source";
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string secrets_difference(const std::map<std::string, FakeHost::Secret>& before,
                               const std::map<std::string, FakeHost::Secret>& after) {
  std::vector<std::string> added, removed;
  for (const auto& [usage, secret] : after) {
    auto it = before.find(usage);
    if (it == before.end() || it->second.uuid != secret.uuid) added.push_back(usage);
  }
  for (const auto& [usage, secret] : before) {
    auto it = after.find(usage);
    if (it == after.end() || it->second.uuid != secret.uuid || it->second.value != secret.value) {
      removed.push_back(usage);
    }
  }
  std::string out;
  if (!added.empty()) out += "secret(s) still defined for " + join(added);
  if (!removed.empty()) {
    out += (out.empty() ? "" : "; ") + std::string("changed or undefined the secret(s) of ") +
           join(removed) + " that it did not define";
  }
  return out;
}

std::string status_text(const CallOutcome& call) {
  return "status " + std::to_string(call.result) +
         (call.error.empty() ? std::string(" and an empty error buffer") : ": " + call.error);
}

VolumeRequest volume_for(const Session& session, VolumeFile file) {
  VolumeRequest volume;
  volume.source_path = session.volumes.path(file);
  volume.header_kind = ScratchVolumes::header_kind(file);
  volume.provider = session.plugin.providers[0];
  return volume;
}

void add_unrelated_secret(FakeHost& host) {
  host.add_secret("conformance-unrelated-volume", {1, 2, 3, 4});
}

std::vector<HostProfile> profiles_this_machine_keeps() {
  std::vector<HostProfile> profiles = {qemu_host_without_dm_crypt()};
  if (kernel::has_device_mapper() && kernel::has_dm_crypt() && may_use_device_mapper()) {
    profiles.push_back(qemu_host_with_dm_crypt());
  }
  return profiles;
}

}  // namespace volcrypt::conformance
