#include "operations/host_usage.hpp"

#include <set>
#include <tuple>
#include <volcrypt/error.hpp>

#include "base/file_identity.hpp"
#include "domain/record.hpp"

namespace volcrypt {
namespace {

bool excluded(const UseExclusion& exclusion, const std::string& domain_uuid,
              const std::string& target, bool inactive) {
  if (exclusion.domain_uuid.empty() || exclusion.domain_uuid != domain_uuid ||
      exclusion.target != target) {
    return false;
  }
  return inactive ? exclusion.config : exclusion.live;
}

}  // namespace

std::string describe_use(const std::string& domain, const std::string& target, bool inactive) {
  return "domain '" + domain + "' disk " + target +
         (inactive ? " (persistent config)" : " (running)");
}

const HostUsage::Uses& HostUsage::read() const {
  if (uses_) return *uses_;
  Uses& uses = uses_.emplace();
  for (const auto& domain : domains_) {
    for (bool inactive : {false, true}) {
      const std::string& xml = inactive ? domain.inactive_xml : domain.live_xml;
      if (xml.empty()) continue;
      try {
        for (auto& disk : disks_in_domain_xml(xml)) {
          uses.disks.push_back({domain.name, domain.uuid, inactive, std::move(disk)});
        }
      } catch (const Error& e) {
        uses.unreadable.push_back("domain '" + domain.name + "': " + e.what());
      }
      try {
        for (auto& record : records_from_domain_xml(xml)) {
          uses.records.push_back({domain.name, domain.uuid, inactive, std::move(record)});
        }
      } catch (const Error& e) {
        uses.unreadable.push_back("domain '" + domain.name + "': " + e.what());
      }
    }
  }
  return uses;
}

std::vector<std::string> HostUsage::secret_users(const std::string& uuid,
                                                 const UseExclusion& exclusion,
                                                 const std::string& volume_usage) const {
  // libvirt writes a secret's uuid as it is, in a disk's <secret uuid=...> and in a
  // record's state, so a domain whose XML never names it uses it nowhere: only the others
  // are parsed (a detach would otherwise parse every domain on the host). A usage is
  // looked for only where XML writes it as it is (no character it escapes).
  const bool usage_written_as_is = volume_usage.find_first_of("&<>'\"") == std::string::npos;
  const auto names_it = [&](const std::string& xml) {
    if (xml.find(uuid) != std::string::npos) return true;
    if (volume_usage.empty()) return false;
    return !usage_written_as_is || xml.find(volume_usage) != std::string::npos;
  };
  std::vector<DomainSnapshot> naming;
  for (const auto& domain : domains_) {
    if (names_it(domain.live_xml) || names_it(domain.inactive_xml)) naming.push_back(domain);
  }
  const HostUsage candidates(std::move(naming));
  std::vector<std::string> users;
  for (const auto& use : candidates.disks()) {
    if (!use.disk.encryption) continue;
    const NativeEncryption& encryption = *use.disk.encryption;
    const bool names_secret = encryption.secret_uuid.empty()
                                  ? !volume_usage.empty() && encryption.secret_usage == volume_usage
                                  : encryption.secret_uuid == uuid;
    if (!names_secret) continue;
    if (excluded(exclusion, use.domain_uuid, use.disk.target, use.inactive)) continue;
    users.push_back(describe_use(use.domain, use.disk.target, use.inactive));
  }
  for (const auto& use : candidates.records()) {
    if (excluded(exclusion, use.domain_uuid, use.record.target, use.inactive)) continue;
    for (const auto& [key, value] : use.record.state) {
      if (value != uuid) continue;
      users.push_back("the record of " + describe_use(use.domain, use.record.target, use.inactive));
      break;
    }
  }
  return users;
}

std::vector<DiskUse> HostUsage::volume_disks(const std::string& volume_id,
                                             const std::string& source_path,
                                             const std::optional<NetworkSource>& network) const {
  if (network) return network_volume_disks(volume_id, source_path, *network);
  FileIdentities files;
  const FileIdentity wanted = files.of(source_path);
  // A dm-crypt disk shows the mapping, not the volume: its record names the volume.
  // The records of this volume, by where their disk is (one pass, not one per disk).
  std::set<std::tuple<std::string, bool, std::string>> recorded;
  for (const auto& use : records()) {
    if (use.record.volume_id == volume_id || files.of(use.record.source_path) == wanted) {
      recorded.emplace(use.domain_uuid, use.inactive, use.record.target);
    }
  }
  std::vector<DiskUse> found;
  for (const auto& use : disks()) {
    if (use.disk.network) continue;  // its name is no path on this host
    const bool same = (!use.disk.source_path.empty() && files.of(use.disk.source_path) == wanted) ||
                      recorded.contains({use.domain_uuid, use.inactive, use.disk.target});
    if (same) found.push_back(use);
  }
  return found;
}

// A network volume has no file identity: its disks name it (the same image, LUN or
// export, however its hosts are spelt) and its records carry its name.
std::vector<DiskUse> HostUsage::network_volume_disks(const std::string& volume_id,
                                                     const std::string& name,
                                                     const NetworkSource& network) const {
  std::set<std::tuple<std::string, bool, std::string>> recorded;
  for (const auto& use : records()) {
    if (use.record.volume_id == volume_id || use.record.source_path == name) {
      recorded.emplace(use.domain_uuid, use.inactive, use.record.target);
    }
  }
  std::vector<DiskUse> found;
  for (const auto& use : disks()) {
    const bool same = (use.disk.network && same_network_volume(*use.disk.network, network)) ||
                      recorded.contains({use.domain_uuid, use.inactive, use.disk.target});
    if (same) found.push_back(use);
  }
  return found;
}

}  // namespace volcrypt
