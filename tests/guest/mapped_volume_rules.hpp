// What volcrypt promises about a dm-crypt volume at one target of one domain, checked
// through libvirt's API and the kernel's device-mapper, never through volcrypt: a disk
// only with its record, a record only with its disk, a running domain's disk's mapping
// open (a shut-off one's may be open or closed), no mapping open that no disk uses, no
// secret without a disk. The libvirt side of these
// (volume_consistency.hpp) only knows disks with <encryption>; a dm-crypt disk has none.
#pragma once

#include <optional>
#include <string>
#include <vector>

typedef struct _virConnect* virConnectPtr;

namespace volcrypt::guest {

struct MappedVolumeAt {
  std::string domain;
  std::string target;
  std::string volume_id;
};

// The source of the domain's live disk at the target (e.g. /dev/mapper/crypt-loop0; a
// shut-off domain's persistent one), or nothing when it has no disk there.
std::optional<std::string> live_disk_source(virConnectPtr connection, const std::string& domain,
                                            const std::string& target);

// One line per broken promise; empty when everything agrees. Every device-mapper device
// in the VM counts: nothing but the volume under test may hold one.
std::vector<std::string> broken_mapping_rules(virConnectPtr connection,
                                              const MappedVolumeAt& volume);

// Intent files volcrypt left in /run/volcrypt/intents.
std::vector<std::string> intent_files_left();

}  // namespace volcrypt::guest
