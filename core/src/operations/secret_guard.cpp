#include "operations/secret_guard.hpp"

#include <volcrypt/error.hpp>

#include "base/joined_text.hpp"
#include "base/random_uuid.hpp"

namespace volcrypt {

SecretGuard::SecretGuard(LibvirtSession& session, Mode mode, std::string volume_id,
                         UseExclusion exclusion)
    : session_(session),
      mode_(mode),
      volume_id_(std::move(volume_id)),
      exclusion_(std::move(exclusion)) {}

std::string SecretGuard::define(const std::string& usage_id, std::span<const uint8_t> value) {
  if (mode_ != Mode::attach) {
    throw Error(ErrorKind::usage, "a plugin may define a secret only while attaching");
  }
  if (usage_id != volume_id_) {
    throw Error(ErrorKind::usage, "a plugin may define only the secret of volume " + volume_id_ +
                                      ", which it is attaching (asked for '" + usage_id + "')");
  }
  if (auto existing = volume_secret()) {
    // A shared (multi-attach) volume: its users hold the right value already, and a
    // different one would lock them out at their next start.
    if (!HostUsage::scan(session_).secret_users(*existing, {}, volume_id_).empty()) {
      return *existing;
    }
    replace_unused(*existing);
  }
  std::string uuid = random_uuid();
  if (before_create_) before_create_(uuid);
  session_.create_volume_secret(usage_id, value, uuid);
  created_.insert(uuid);
  know_volume_secret(uuid);
  return uuid;
}

void SecretGuard::replace_unused(const std::string& uuid) {
  const auto secret = session_.secret_info(uuid);
  if (!secret) return;  // gone meanwhile
  if (!is_volcrypt_secret(*secret)) {
    // Its value may be an operator's only copy, and a persistent secret would put this
    // passphrase on the host's disk: neither is volcrypt's to overwrite.
    throw Error(
        ErrorKind::busy,
        "libvirt secret " + uuid + " already has the usage of volume " + volume_id_ +
            " and was not made by volcrypt" +
            (secret->description.empty() ? ""
                                         : " (its description: '" + secret->description + "')") +
            "; volcrypt never writes into another's secret: remove it, or attach the "
            "volume under another volume id");
  }
  // volcrypt's own orphan (a kill, an older build): replaced, never written into, so the
  // new one is made as this host's setting says (ephemeral or not).
  if (!session_.undefine_secret(uuid)) return;
  volume_secret_known_ = false;
}

std::optional<std::string> SecretGuard::volume_secret() {
  if (!volume_secret_known_) know_volume_secret(session_.lookup_volume_secret(volume_id_));
  return volume_secret_;
}

void SecretGuard::know_volume_secret(std::optional<std::string> uuid) {
  volume_secret_known_ = true;
  volume_secret_ = std::move(uuid);
}

std::string SecretGuard::reason_to_keep(const SecretInfo& secret) {
  const std::string name = "secret " + secret.uuid;
  switch (mode_) {
    case Mode::attach:
      if (!created_.contains(secret.uuid)) return name + " was not created by this operation";
      [[fallthrough]];
    case Mode::release:
      if (!is_volcrypt_secret(secret)) {
        return name + " was not made by volcrypt" +
               (secret.description.empty() ? ""
                                           : " (its description: '" + secret.description + "')");
      }
      if (secret.usage_id != volume_id_) {
        return name + " belongs to volume " + secret.usage_id + ", not to volume " + volume_id_ +
               (mode_ == Mode::release ? " named by the record" : " this operation concerns");
      }
      break;
    case Mode::legacy:
      if (secret.usage_type != "volume") {
        return name + " is a '" + secret.usage_type + "' secret, not a volume's";
      }
      if (!volume_id_.empty() && secret.usage_id != volume_id_) {
        return name + " belongs to volume " + secret.usage_id + ", not to volume " + volume_id_ +
               " (the disk's serial)";
      }
      break;
  }
  const std::string usage = secret.usage_type == "volume" ? secret.usage_id : "";
  auto users = HostUsage::scan(session_).secret_users(secret.uuid, exclusion_, usage);
  if (!users.empty()) return name + " is still used by " + joined(users);
  return {};
}

bool SecretGuard::undefine(const std::string& uuid) {
  auto secret = session_.secret_info(uuid);
  if (!secret) return false;
  if (std::string reason = reason_to_keep(*secret); !reason.empty()) {
    kept_.push_back({uuid, reason});
    return false;
  }
  if (volume_secret_ == uuid) volume_secret_known_ = false;
  return session_.undefine_secret(uuid);
}

}  // namespace volcrypt
