#include "scrub.hpp"

#include <libvirt/libvirt.h>
#include <tinyxml2.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "libvirt_checks.hpp"

namespace volcrypt::test {
namespace {

constexpr const char* kRecordNamespace = "urn:volcrypt:record:1";

// The <disk> element at target, printed, as libvirt needs it to detach that disk.
std::string disk_element(virDomainPtr domain, const std::string& target, bool inactive) {
  char* xml = virDomainGetXMLDesc(domain, inactive ? VIR_DOMAIN_XML_INACTIVE : 0);
  tinyxml2::XMLDocument doc;
  const bool parsed = xml && doc.Parse(xml) == tinyxml2::XML_SUCCESS && doc.RootElement();
  free(xml);
  if (!parsed) return "";
  auto* devices = doc.RootElement()->FirstChildElement("devices");
  for (auto* disk = devices ? devices->FirstChildElement("disk") : nullptr; disk;
       disk = disk->NextSiblingElement("disk")) {
    auto* t = disk->FirstChildElement("target");
    if (t && t->Attribute("dev") && target == t->Attribute("dev")) {
      tinyxml2::XMLPrinter printer;
      disk->Accept(&printer);
      return printer.CStr();
    }
  }
  return "";
}

void remove_intents_naming(const std::string& domain) {
  const std::filesystem::path folder = "/run/volcrypt/intents";
  std::error_code ignored;
  if (!std::filesystem::is_directory(folder, ignored)) return;
  for (const auto& entry : std::filesystem::directory_iterator(folder, ignored)) {
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("\"" + domain + "\"") != std::string::npos) {
      std::filesystem::remove(entry.path(), ignored);
    }
  }
}

}  // namespace

void scrub(virConnectPtr connection, const VolumeAt& volume) {
  virDomainPtr domain = virDomainLookupByName(connection, volume.domain.c_str());
  if (domain != nullptr) {
    for (bool inactive : {false, true}) {
      if (!inactive && virDomainIsActive(domain) != 1) continue;
      if (inactive && virDomainIsPersistent(domain) != 1) continue;
      const unsigned flags = inactive ? VIR_DOMAIN_AFFECT_CONFIG : VIR_DOMAIN_AFFECT_LIVE;
      const std::string disk = disk_element(domain, volume.target, inactive);
      if (!disk.empty()) virDomainDetachDeviceFlags(domain, disk.c_str(), flags);
      // Unplugging from virtio-scsi completes within milliseconds.
      for (int i = 0; i < 50 && !disk_element(domain, volume.target, inactive).empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, nullptr, nullptr, kRecordNamespace,
                           flags);
    }
    virDomainFree(domain);
  }
  for (const auto& uuid : secrets_for_volume(connection, volume.volume_id)) {
    undefine_secret_if_present(connection, uuid);
  }
  remove_intents_naming(volume.domain);
}

}  // namespace volcrypt::test
