#include "operations/named_secrets.hpp"

#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "domain/domain_identity.hpp"
#include "operations/secret_guard.hpp"

namespace volcrypt {
namespace {

void require_same_volume(const SecretInfo& secret, const Record& record, const std::string& uri) {
  if (secret.usage_type == "volume" && secret.usage_id == record.volume_id) return;
  throw Error(ErrorKind::busy,
              "libvirt secret " + secret.uuid + " at " + uri + ", named by disk '" + record.target +
                  "', belongs to " +
                  (secret.usage_id.empty() ? "something else" : "volume " + secret.usage_id) +
                  ", not to volume " + record.volume_id + "; nothing was defined");
}

// The domain's uuid, for not counting its own disks as users of what it just defined; a
// text without one (a hook's may have none) excludes nothing.
std::string uuid_of(const std::string& domain_xml) {
  try {
    return domain_identity(domain_xml).uuid;
  } catch (const Error&) {
    return {};
  }
}

}  // namespace

std::vector<NamedSecretOutcome> restore_named_secrets(
    LibvirtSession& where, const std::string& domain_xml, const std::vector<Record>& records,
    const std::function<VolumeKey(const Record&)>& key_for) {
  std::vector<NamedSecretOutcome> outcomes;
  try {
    for (const auto& record : records) {
      const auto disk = find_disk(domain_xml, record.target);
      if (!disk || !disk->encryption || disk->encryption->secret_uuid.empty()) continue;
      NamedSecretOutcome outcome{record.target, record.volume_id, disk->encryption->secret_uuid};
      if (auto existing = where.secret_info(outcome.uuid)) {
        require_same_volume(*existing, record, where.uri());
      } else {
        const VolumeKey key = key_for(record);
        if (key.empty()) {
          throw Error(ErrorKind::usage, "defining the secret of volume " + record.volume_id +
                                            " (disk '" + record.target + "') needs its key");
        }
        where.create_volume_secret(
            record.volume_id, {key.passphrase().data(), key.passphrase().size()}, outcome.uuid);
        outcome.defined = true;
      }
      outcomes.push_back(std::move(outcome));
    }
  } catch (...) {
    remove_defined_secrets(where, domain_xml, outcomes);
    throw;
  }
  return outcomes;
}

std::vector<std::string> remove_defined_secrets(LibvirtSession& where,
                                                const std::string& domain_xml,
                                                const std::vector<NamedSecretOutcome>& outcomes) {
  std::vector<std::string> problems;
  const std::string domain_uuid = uuid_of(domain_xml);
  for (const auto& outcome : outcomes) {
    if (!outcome.defined) continue;
    try {
      // The domain's own disk names it; any other user keeps it.
      SecretGuard guard(where, SecretGuard::Mode::attach, outcome.volume_id,
                        UseExclusion{domain_uuid, outcome.target, true, true});
      guard.adopt_created(outcome.uuid);
      if (!guard.undefine(outcome.uuid)) {
        for (const auto& kept : guard.kept()) problems.push_back("kept " + kept.reason);
      }
    } catch (const Error& e) {
      problems.push_back("libvirt secret " + outcome.uuid + " of volume " + outcome.volume_id +
                         " at " + where.uri() + " was left: " + e.what());
    }
  }
  return problems;
}

}  // namespace volcrypt
