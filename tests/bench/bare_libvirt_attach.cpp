// The baseline: the least a hand-written caller must do for the same result as
// `volcrypt attach` + `volcrypt detach` with native LUKS: a private volume secret
// holding the passphrase, the disk with <encryption format='luks'>, a record in the
// domain's metadata; then the reverse, waiting until the disk is really gone.
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "bench_cases.hpp"

namespace volcrypt::bench {
namespace {

constexpr const char* kRecordNamespace = "urn:volcrypt:record:1";
constexpr const char* kRecordPrefix = "volcrypt";

[[noreturn]] void fail(const std::string& what) {
  const char* message = virGetLastErrorMessage();
  throw std::runtime_error(what + ": " + (message ? message : "unknown libvirt error"));
}

std::string secret_xml(const std::string& volume_id) {
  return "<secret ephemeral='no' private='yes'><description>volcrypt passphrase for volume " +
         volume_id + "</description><usage type='volume'><volume>" + volume_id +
         "</volume></usage></secret>";
}

std::string disk_xml(const BenchWorld& world, const std::string& secret_uuid) {
  return "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" +
         world.volume_path() + "'><encryption format='luks'><secret type='passphrase' uuid='" +
         secret_uuid + "'/></encryption></source><target dev='" + kTarget +
         "' bus='scsi'/><serial>" + world.volume_id() + "</serial></disk>";
}

std::string record_xml(const BenchWorld& world, const std::string& secret_uuid) {
  return std::string("<attachments><disk target='") + kTarget + "' volume-id='" +
         world.volume_id() + "' source='" + world.volume_path() +
         "' provider='luks' plugin='qemu-native-luks' plugin-version='1.0.0'>"
         "<state key='secret-uuid' value='" +
         secret_uuid + "'/></disk></attachments>";
}

bool disk_in_live_xml(virDomainPtr domain) {
  char* xml = virDomainGetXMLDesc(domain, 0);
  if (xml == nullptr) fail("cannot read the live domain XML");
  const bool present = std::strstr(xml, (std::string("<target dev='") + kTarget + "'").c_str());
  free(xml);
  return present;
}

struct SecretRef {
  virSecretPtr secret;
  ~SecretRef() { virSecretFree(secret); }
};

void attach_and_detach(const BenchWorld& world, virDomainPtr domain) {
  SecretRef ref{virSecretDefineXML(world.connection(), secret_xml(world.volume_id()).c_str(), 0)};
  if (ref.secret == nullptr) fail("virSecretDefineXML");
  const size_t length = std::strlen(kPassphrase);
  if (virSecretSetValue(ref.secret, reinterpret_cast<const unsigned char*>(kPassphrase), length,
                        0) != 0) {
    fail("virSecretSetValue");
  }
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virSecretGetUUIDString(ref.secret, uuid) != 0) fail("virSecretGetUUIDString");

  const std::string disk = disk_xml(world, uuid);
  if (virDomainAttachDeviceFlags(domain, disk.c_str(), VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainAttachDeviceFlags");
  }
  if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, record_xml(world, uuid).c_str(),
                           kRecordPrefix, kRecordNamespace, VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainSetMetadata");
  }

  if (virDomainDetachDeviceFlags(domain, disk.c_str(), VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainDetachDeviceFlags");
  }
  // The same poll as volcrypt's (20 ms), so only the work differs, not the waiting.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (disk_in_live_xml(domain)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("the disk did not leave the domain within 15 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, nullptr, kRecordPrefix,
                           kRecordNamespace, VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainSetMetadata (remove)");
  }
  if (virSecretUndefine(ref.secret) != 0) fail("virSecretUndefine");
}

}  // namespace

void bare_libvirt_pair(const BenchWorld& world) {
  virDomainPtr domain = virDomainLookupByName(world.connection(), world.domain().c_str());
  if (domain == nullptr) fail("no domain " + world.domain());
  try {
    attach_and_detach(world, domain);
  } catch (...) {
    virDomainFree(domain);
    throw;
  }
  virDomainFree(domain);
}

void bare_libvirt_attach_detach(benchmark::State& state, const BenchWorld& world) {
  virDomainPtr domain = virDomainLookupByName(world.connection(), world.domain().c_str());
  if (domain == nullptr) {
    state.SkipWithError(("no domain " + world.domain()).c_str());
    return;
  }
  try {
    attach_and_detach(world, domain);  // untimed warm-up, and a check that it works
    for (auto _ : state) attach_and_detach(world, domain);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
  virDomainFree(domain);
}

}  // namespace volcrypt::bench
