#include "bare_libvirt_steps.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace volcrypt::bench {

void fail_with_libvirt_message(const std::string& what) {
  const char* message = virGetLastErrorMessage();
  throw std::runtime_error(what + ": " + (message ? message : "unknown libvirt error"));
}

std::string bare_secret_xml(const BareVolume& volume) {
  return "<secret ephemeral='no' private='yes'><description>volcrypt passphrase for volume " +
         volume.volume_id + "</description><usage type='volume'><volume>" + volume.volume_id +
         "</volume></usage></secret>";
}

std::string bare_disk_xml(const BareVolume& volume, const std::string& secret_uuid) {
  return "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" +
         volume.source + "'><encryption format='luks'><secret type='passphrase' uuid='" +
         secret_uuid + "'/></encryption></source><target dev='" + volume.target +
         "' bus='scsi'/><serial>" + volume.volume_id + "</serial></disk>";
}

std::string bare_record_xml(const BareVolume& volume, const std::string& secret_uuid) {
  return "<attachments><disk target='" + volume.target + "' volume-id='" + volume.volume_id +
         "' source='" + volume.source +
         "' provider='luks' plugin='qemu-native-luks' plugin-version='1.0.0'>"
         "<state key='secret-uuid' value='" +
         secret_uuid + "'/></disk></attachments>";
}

namespace {

bool disk_in_live_xml(virDomainPtr domain, const std::string& target) {
  char* xml = virDomainGetXMLDesc(domain, 0);
  if (xml == nullptr) fail_with_libvirt_message("cannot read the live domain XML");
  const bool present = std::strstr(xml, ("<target dev='" + target + "'").c_str()) != nullptr;
  std::free(xml);
  return present;
}

}  // namespace

void finish_bare_detach(virDomainPtr domain, const std::string& target) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (disk_in_live_xml(domain, target)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("the disk did not leave the domain within 15 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, nullptr, kRecordPrefix,
                           kRecordNamespace, VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail_with_libvirt_message("virDomainSetMetadata (remove)");
  }
}

}  // namespace volcrypt::bench
