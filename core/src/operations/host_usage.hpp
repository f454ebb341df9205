// Who uses what on this host: every disk and every record of every domain, on both of
// its definitions. Nothing is removed, and no volume attached twice, without asking it.
#pragma once

#include <optional>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "domain/disk_xml.hpp"
#include "domain/libvirt_session.hpp"

namespace volcrypt {

struct DiskUse {
  std::string domain;
  std::string domain_uuid;
  bool inactive = false;  // in the persistent definition (else the running one)
  DiskInfo disk;
};

struct RecordUse {
  std::string domain;
  std::string domain_uuid;
  bool inactive = false;
  Record record;
};

// What an operation is removing right now, so it does not count as a user of itself.
struct UseExclusion {
  std::string domain_uuid;
  std::string target;
  bool live = false;    // the running definition's disk and record
  bool config = false;  // the persistent definition's
};

// Each domain's XML is parsed when a question first needs it, not when the scan is made.
class HostUsage {
 public:
  explicit HostUsage(std::vector<DomainSnapshot> domains) : domains_(std::move(domains)) {}
  static HostUsage scan(LibvirtSession& session) { return HostUsage(session.domain_snapshots()); }

  const std::vector<DomainSnapshot>& domains() const { return domains_; }
  const std::vector<DiskUse>& disks() const { return read().disks; }
  const std::vector<RecordUse>& records() const { return read().records; }
  // Domains whose volcrypt metadata could not be read, with why.
  const std::vector<std::string>& unreadable_records() const { return read().unreadable; }

  // Who still uses the secret (disks naming it, records holding it in their state),
  // described for a message, e.g. "domain 'vm1' disk sdb (running)". A volume secret's
  // usage (its volume id) also finds the disks that name it by usage.
  std::vector<std::string> secret_users(const std::string& uuid, const UseExclusion& exclusion = {},
                                        const std::string& volume_usage = {}) const;
  // The disks of this volume, found by the file its source names (a link or another
  // spelling is the same volume), by the network volume a network disk names (the same
  // image, LUN or export), or, for disks that volcrypt recorded, its volume id.
  std::vector<DiskUse> volume_disks(const std::string& volume_id, const std::string& source_path,
                                    const std::optional<NetworkSource>& network = {}) const;

 private:
  struct Uses {
    std::vector<DiskUse> disks;
    std::vector<RecordUse> records;
    std::vector<std::string> unreadable;
  };
  const Uses& read() const;
  std::vector<DiskUse> network_volume_disks(const std::string& volume_id, const std::string& name,
                                            const NetworkSource& network) const;

  std::vector<DomainSnapshot> domains_;
  mutable std::optional<Uses> uses_;
};

// "domain 'vm1' disk sdb (running)" or "(persistent config)".
std::string describe_use(const std::string& domain, const std::string& target, bool inactive);

}  // namespace volcrypt
