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

#include "bare_libvirt_steps.hpp"
#include "bench_cases.hpp"

namespace volcrypt::bench {
namespace {

[[noreturn]] void fail(const std::string& what) { fail_with_libvirt_message(what); }

BareVolume bare_volume(const BenchWorld& world) {
  return {world.volume_path(), world.volume_id(), kTarget};
}

std::string secret_xml(const std::string& volume_id) {
  return bare_secret_xml({"", volume_id, ""});
}

std::string disk_xml(const BenchWorld& world, const std::string& secret_uuid) {
  return bare_disk_xml(bare_volume(world), secret_uuid);
}

std::string record_xml(const BenchWorld& world, const std::string& secret_uuid) {
  return bare_record_xml(bare_volume(world), secret_uuid);
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
  finish_bare_detach(domain, kTarget);
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
