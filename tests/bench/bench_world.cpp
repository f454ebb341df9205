#include "bench_world.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace volcrypt::bench {
namespace {

std::string last_error() {
  const char* message = virGetLastErrorMessage();
  return message ? message : "unknown libvirt error";
}

// libvirt prints every error to stderr unless told otherwise; callers report them.
void quiet(void* /*unused*/, virErrorPtr /*error*/) {}

std::string domain_xml(const std::string& name, int scsi_controllers) {
  std::string controllers;
  for (int i = 0; i < scsi_controllers; ++i) {
    controllers +=
        "<controller type='scsi' index='" + std::to_string(i) + "' model='virtio-scsi'/>";
  }
  return "<domain type='qemu'><name>" + name +
         "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
         "<os><type arch='x86_64' machine='pc'>hvm</type></os>"
         "<on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot>"
         "<devices>" +
         controllers + "</devices></domain>";
}

}  // namespace

BenchWorld::BenchWorld(int scsi_controllers, bool shut_off) {
  const std::string tag = std::to_string(getpid());
  volume_id_ = "volcrypt-bench-vol-" + tag;
  domain_ = "volcrypt-bench-" + tag;

  // QEMU runs as libvirt-qemu and must reach the volume inside the scratch folder.
  std::filesystem::permissions(scratch_.path(), std::filesystem::perms::owner_all |
                                                    std::filesystem::perms::group_read |
                                                    std::filesystem::perms::group_exec |
                                                    std::filesystem::perms::others_read |
                                                    std::filesystem::perms::others_exec);
  volume_path_ = scratch_.file("volume.luks");
  test_volumes::make_luks_volume(volume_path_, test_volumes::LuksVersion::luks1, kPassphrase);

  virSetErrorFunc(nullptr, &quiet);
  connection_ = virConnectOpen("qemu:///system");
  if (connection_ == nullptr) {
    throw std::runtime_error("libvirtd at qemu:///system is not reachable (" + last_error() +
                             "); start it with .ci/start-libvirtd");
  }
  const std::string xml = domain_xml(domain_, scsi_controllers);
  virDomainPtr domain = shut_off ? virDomainDefineXML(connection_, xml.c_str())
                                 : virDomainCreateXML(connection_, xml.c_str(), 0);
  if (domain == nullptr) {
    std::string why = last_error();
    virConnectClose(connection_);
    throw std::runtime_error("cannot start the benchmark domain " + domain_ + ": " + why);
  }
  virDomainFree(domain);
}

BenchWorld::~BenchWorld() {
  if (virDomainPtr domain = virDomainLookupByName(connection_, domain_.c_str())) {
    if (virDomainIsActive(domain) == 1) virDomainDestroy(domain);  // a transient one goes too
    if (virDomainIsPersistent(domain) == 1) virDomainUndefine(domain);
    virDomainFree(domain);
  }
  undefine_secrets_of_volume();
  virConnectClose(connection_);
}

void BenchWorld::undefine_secrets_of_volume() {
  while (virSecretPtr secret = virSecretLookupByUsage(connection_, VIR_SECRET_USAGE_TYPE_VOLUME,
                                                      volume_id_.c_str())) {
    const int rc = virSecretUndefine(secret);
    virSecretFree(secret);
    if (rc != 0) return;
  }
}

}  // namespace volcrypt::bench
