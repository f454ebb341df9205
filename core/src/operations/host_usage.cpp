#include "operations/host_usage.hpp"

#include <filesystem>
#include <set>
#include <tuple>
#include <volcrypt/error.hpp>

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

// Paths compare by what they resolve to, so a link or a relative spelling of the same
// file (or /dev/mapper/NAME and /dev/dm-N) is one volume.
std::string resolved(const std::string& path) {
  std::error_code error;
  auto canonical = std::filesystem::weakly_canonical(path, error);
  return error ? path : canonical.string();
}

}  // namespace

std::string describe_use(const std::string& domain, const std::string& target, bool inactive) {
  return "domain '" + domain + "' disk " + target +
         (inactive ? " (persistent config)" : " (running)");
}

HostUsage::HostUsage(const std::vector<DomainSnapshot>& domains) : domains_(domains) {
  for (const auto& domain : domains_) {
    for (bool inactive : {false, true}) {
      const std::string& xml = inactive ? domain.inactive_xml : domain.live_xml;
      if (xml.empty()) continue;
      try {
        for (auto& disk : disks_in_domain_xml(xml)) {
          disks_.push_back({domain.name, domain.uuid, inactive, std::move(disk)});
        }
      } catch (const Error& e) {
        unreadable_.push_back("domain '" + domain.name + "': " + e.what());
      }
      try {
        for (auto& record : records_from_domain_xml(xml)) {
          records_.push_back({domain.name, domain.uuid, inactive, std::move(record)});
        }
      } catch (const Error& e) {
        unreadable_.push_back("domain '" + domain.name + "': " + e.what());
      }
    }
  }
}

std::vector<std::string> HostUsage::secret_users(const std::string& uuid,
                                                 const UseExclusion& exclusion) const {
  std::vector<std::string> users;
  for (const auto& use : disks_) {
    if (!use.disk.encryption || use.disk.encryption->secret_uuid != uuid) continue;
    if (excluded(exclusion, use.domain_uuid, use.disk.target, use.inactive)) continue;
    users.push_back(describe_use(use.domain, use.disk.target, use.inactive));
  }
  for (const auto& use : records_) {
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
                                             const std::string& source_path) const {
  const std::string wanted = resolved(source_path);
  // A dm-crypt disk shows the mapping, not the volume: its record names the volume.
  // The records of this volume, by where their disk is (one pass, not one per disk).
  std::set<std::tuple<std::string, bool, std::string>> recorded;
  for (const auto& use : records_) {
    if (use.record.volume_id == volume_id || resolved(use.record.source_path) == wanted) {
      recorded.emplace(use.domain_uuid, use.inactive, use.record.target);
    }
  }
  std::vector<DiskUse> found;
  for (const auto& use : disks_) {
    const bool same = (!use.disk.source_path.empty() && resolved(use.disk.source_path) == wanted) ||
                      recorded.contains({use.domain_uuid, use.inactive, use.disk.target});
    if (same) found.push_back(use);
  }
  return found;
}

}  // namespace volcrypt
