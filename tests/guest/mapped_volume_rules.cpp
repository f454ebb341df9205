#include "mapped_volume_rules.hpp"

#include <libvirt/libvirt.h>
#include <tinyxml2.h>

#include <cstdlib>
#include <filesystem>

#include "domain_power.hpp"
#include "mapping_inventory.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::guest {
namespace {

constexpr std::string_view kMapperDir = "/dev/mapper/";
// Where volcrypt keeps its intents in the VM (no VOLCRYPT_STATE_DIR there).
constexpr const char* kIntentDir = "/run/volcrypt/intents";

std::string live_xml(virConnectPtr connection, const std::string& domain) {
  virDomainPtr handle = virDomainLookupByName(connection, domain.c_str());
  if (handle == nullptr) return "";
  char* xml = virDomainGetXMLDesc(handle, 0);
  std::string out = xml ? xml : "";
  free(xml);
  virDomainFree(handle);
  return out;
}

}  // namespace

std::optional<std::string> live_disk_source(virConnectPtr connection, const std::string& domain,
                                            const std::string& target) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(live_xml(connection, domain).c_str()) != tinyxml2::XML_SUCCESS ||
      doc.RootElement() == nullptr) {
    return std::nullopt;
  }
  auto* devices = doc.RootElement()->FirstChildElement("devices");
  for (auto* disk = devices ? devices->FirstChildElement("disk") : nullptr; disk;
       disk = disk->NextSiblingElement("disk")) {
    auto* t = disk->FirstChildElement("target");
    if (t == nullptr || t->Attribute("dev") == nullptr || target != t->Attribute("dev")) continue;
    auto* source = disk->FirstChildElement("source");
    const char* path =
        source ? (source->Attribute("dev") ? source->Attribute("dev") : source->Attribute("file"))
               : nullptr;
    return std::string(path ? path : "");
  }
  return std::nullopt;
}

std::vector<std::string> broken_mapping_rules(virConnectPtr connection,
                                              const MappedVolumeAt& volume) {
  // Records without disks and secrets without users, as for any volcrypt disk.
  std::vector<std::string> broken = test::broken_rules(
      connection, test::VolumeAt{volume.domain, volume.target, volume.volume_id, true});

  // A shut-off domain's disk is its persistent one, and its mapping may be open (after
  // `volcrypt prepare`) or closed (after a host restart).
  const bool running = domain_runs(connection, volume.domain);
  const std::string which = running ? "live" : "persistent";
  const std::optional<std::string> source =
      live_disk_source(connection, volume.domain, volume.target);
  std::string used_mapping;
  if (source) {
    if (!test::has_record(connection, volume.domain, volume.target, !running)) {
      broken.push_back("the " + which + " disk " + volume.target + " (" + *source +
                       ") has no record");
    }
    if (source->starts_with(kMapperDir)) used_mapping = source->substr(kMapperDir.size());
  }

  bool used_mapping_open = false;
  for (const DmDevice& device : device_mapper_devices()) {
    if (device.name == used_mapping && !device.below.empty()) {
      used_mapping_open = true;
      continue;
    }
    broken.push_back("mapping " + describe(device) + " is open and no disk uses it");
  }
  if (running && !used_mapping.empty() && !used_mapping_open) {
    broken.push_back("the live disk " + volume.target + " uses " + *source +
                     ", which device-mapper does not have");
  }
  return broken;
}

std::vector<std::string> intent_files_left() {
  std::vector<std::string> left;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(kIntentDir, ignored)) {
    if (entry.path().extension() == ".intent") left.push_back(entry.path().string());
  }
  return left;
}

}  // namespace volcrypt::guest
