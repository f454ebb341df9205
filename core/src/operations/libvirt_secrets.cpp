#include "operations/libvirt_secrets.hpp"

#include <volcrypt/error.hpp>

#include "domain/libvirt_session.hpp"
#include "operations/secret_guard.hpp"

namespace volcrypt {

std::string LibvirtSecrets::define(const std::string& usage_id, std::span<const uint8_t> value) {
  if (guard_ == nullptr) throw Error(ErrorKind::usage, "secrets cannot be defined here");
  return guard_->define(usage_id, value);
}

std::optional<std::string> LibvirtSecrets::lookup(const std::string& usage_id) {
  if (guard_ != nullptr && !usage_id.empty() && usage_id == guard_->volume_id()) {
    return guard_->volume_secret();
  }
  return session_.lookup_volume_secret(usage_id);
}

void LibvirtSecrets::undefine(const std::string& uuid) {
  if (guard_ == nullptr) throw Error(ErrorKind::usage, "secrets cannot be undefined here");
  // A secret the guard keeps (another user, not volcrypt's) is not the plugin's
  // failure: its release is done, and the core reports what was kept and why.
  guard_->undefine(uuid);
}

}  // namespace volcrypt
