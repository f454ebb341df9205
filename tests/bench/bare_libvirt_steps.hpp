// What the bare-libvirt baselines hand libvirt for one native-LUKS volume, as volcrypt
// writes it (the private volume secret, the disk, the record in the domain's metadata),
// and the end of a detach done as volcrypt does it.
#pragma once

#include <string>

typedef struct _virDomain* virDomainPtr;

namespace volcrypt::bench {

inline constexpr const char* kRecordNamespace = "urn:volcrypt:record:1";
inline constexpr const char* kRecordPrefix = "volcrypt";

struct BareVolume {
  std::string source;  // the LUKS file
  std::string volume_id;
  std::string target;  // e.g. sdb, on the virtio-scsi bus
};

// Throws std::runtime_error: what, then libvirt's last message.
[[noreturn]] void fail_with_libvirt_message(const std::string& what);

std::string bare_secret_xml(const BareVolume& volume);
std::string bare_disk_xml(const BareVolume& volume, const std::string& secret_uuid);
std::string bare_record_xml(const BareVolume& volume, const std::string& secret_uuid);

// After virDomainDetachDeviceFlags: polls the live XML every 20 ms (as volcrypt does, so
// that only the work differs, not the waiting) until target has left it, at most 15 s,
// then removes the record.
void finish_bare_detach(virDomainPtr domain, const std::string& target);

}  // namespace volcrypt::bench
