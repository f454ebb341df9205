#include "volume_consistency.hpp"

#include <libvirt/libvirt.h>
#include <tinyxml2.h>

#include <cstdlib>
#include <optional>

#include "libvirt_checks.hpp"

namespace volcrypt::test {
namespace {

struct DomainRef {
  virDomainPtr domain;
  ~DomainRef() {
    if (domain) virDomainFree(domain);
  }
};

std::string domain_xml(virDomainPtr domain, bool inactive) {
  char* xml = virDomainGetXMLDesc(domain, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  std::string out = xml ? xml : "";
  free(xml);
  return out;
}

struct DiskSeen {
  bool present = false;
  std::string secret_uuid;  // empty when the disk has no <encryption>
};

DiskSeen disk_at(const std::string& xml, const std::string& target) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.c_str()) != tinyxml2::XML_SUCCESS || doc.RootElement() == nullptr) return {};
  auto* devices = doc.RootElement()->FirstChildElement("devices");
  for (auto* disk = devices ? devices->FirstChildElement("disk") : nullptr; disk;
       disk = disk->NextSiblingElement("disk")) {
    auto* t = disk->FirstChildElement("target");
    const char* dev = t ? t->Attribute("dev") : nullptr;
    if (dev == nullptr || target != dev) continue;
    DiskSeen seen{true, ""};
    // libvirt shows <encryption> inside <source>; older XML has it directly in <disk>.
    auto* source = disk->FirstChildElement("source");
    auto* encryption = source ? source->FirstChildElement("encryption") : nullptr;
    if (encryption == nullptr) encryption = disk->FirstChildElement("encryption");
    auto* secret = encryption ? encryption->FirstChildElement("secret") : nullptr;
    if (secret && secret->Attribute("uuid")) seen.secret_uuid = secret->Attribute("uuid");
    return seen;
  }
  return {};
}

bool metadata_names_target(const std::optional<std::string>& metadata, const std::string& target) {
  if (!metadata) return false;
  tinyxml2::XMLDocument doc;
  if (doc.Parse(metadata->c_str()) != tinyxml2::XML_SUCCESS || doc.RootElement() == nullptr) {
    return false;
  }
  for (auto* disk = doc.RootElement()->FirstChildElement(); disk;
       disk = disk->NextSiblingElement()) {
    const char* t = disk->Attribute("target");
    if (t && target == t) return true;
  }
  return false;
}

bool secret_defined(virConnectPtr connection, const std::string& uuid) {
  virSecretPtr secret = virSecretLookupByUUIDString(connection, uuid.c_str());
  if (secret == nullptr) return false;
  virSecretFree(secret);
  return true;
}

}  // namespace

bool has_disk(virConnectPtr connection, const std::string& domain, const std::string& target,
              bool inactive) {
  DomainRef ref{virDomainLookupByName(connection, domain.c_str())};
  return ref.domain && disk_at(domain_xml(ref.domain, inactive), target).present;
}

bool has_record(virConnectPtr connection, const std::string& domain, const std::string& target,
                bool inactive) {
  return metadata_names_target(volcrypt_metadata(connection, domain, inactive), target);
}

std::vector<std::string> broken_rules(virConnectPtr connection, const VolumeAt& volume) {
  std::vector<std::string> broken;
  DomainRef ref{virDomainLookupByName(connection, volume.domain.c_str())};
  if (ref.domain == nullptr) return {"domain " + volume.domain + " is gone"};
  std::vector<std::string> secrets_in_use;
  // A running domain has a live definition; a persistent one also has its config.
  for (bool inactive : {false, true}) {
    if (!inactive && virDomainIsActive(ref.domain) != 1) continue;
    if (inactive && virDomainIsPersistent(ref.domain) != 1) continue;
    const std::string where = inactive ? "persistent" : "live";
    const DiskSeen disk = disk_at(domain_xml(ref.domain, inactive), volume.target);
    const bool record = metadata_names_target(
        volcrypt_metadata(connection, volume.domain, inactive), volume.target);
    if (record && !disk.present) {
      broken.push_back("the " + where + " record for " + volume.target + " has no disk");
    }
    if (disk.present && !disk.secret_uuid.empty()) {
      secrets_in_use.push_back(disk.secret_uuid);
      if (!record && volume.volcrypt_disk)
        broken.push_back("the " + where + " disk " + volume.target + " has no record");
      if (!secret_defined(connection, disk.secret_uuid)) {
        broken.push_back("the " + where + " disk " + volume.target + " uses secret " +
                         disk.secret_uuid + ", which is missing");
      }
    }
  }
  for (const auto& uuid : secrets_for_volume(connection, volume.volume_id)) {
    bool used = false;
    for (const auto& in_use : secrets_in_use) used = used || in_use == uuid;
    if (!used) {
      broken.push_back("secret " + uuid + " of volume " + volume.volume_id + " is used by no disk");
    }
  }
  return broken;
}

}  // namespace volcrypt::test
