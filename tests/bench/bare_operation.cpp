// The floor for any CLI: one process per operation making only the libvirt calls that
// `volcrypt attach` and `volcrypt detach` make for a native LUKS file, on a connection of
// its own, as a compute agent running a program per operation gets them.
//   volcrypt_bench_bare_operation attach URI DOMAIN TARGET SOURCE VOLUME_ID PASSPHRASE_FILE
//     a private volume secret holding the passphrase (read from the file, never an
//     argument), the disk with <encryption format='luks'>, the record in the metadata.
//   volcrypt_bench_bare_operation detach URI DOMAIN TARGET SOURCE VOLUME_ID
//     the reverse: the disk unplugged (polled every 20 ms, as volcrypt does, until it has
//     left the live XML), the record removed, the secret (found by its usage) undefined.
// Exits 0, or 1 with libvirt's message on stderr.
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>

#include "bare_libvirt_steps.hpp"

namespace {

using volcrypt::bench::bare_disk_xml;
using volcrypt::bench::bare_record_xml;
using volcrypt::bench::bare_secret_xml;
using volcrypt::bench::BareVolume;
using volcrypt::bench::finish_bare_detach;
using volcrypt::bench::kRecordNamespace;
using volcrypt::bench::kRecordPrefix;
[[noreturn]] void fail(const std::string& what) {
  volcrypt::bench::fail_with_libvirt_message(what);
}

void attach(virConnectPtr connection, virDomainPtr domain, const BareVolume& op,
            const std::string& passphrase_file) {
  std::ifstream in(passphrase_file, std::ios::binary);
  const std::string passphrase((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  virSecretPtr secret = virSecretDefineXML(connection, bare_secret_xml(op).c_str(), 0);
  if (secret == nullptr) fail("virSecretDefineXML");
  if (virSecretSetValue(secret, reinterpret_cast<const unsigned char*>(passphrase.data()),
                        passphrase.size(), 0) != 0) {
    fail("virSecretSetValue");
  }
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virSecretGetUUIDString(secret, uuid) != 0) fail("virSecretGetUUIDString");
  virSecretFree(secret);
  if (virDomainAttachDeviceFlags(domain, bare_disk_xml(op, uuid).c_str(), VIR_DOMAIN_AFFECT_LIVE) !=
      0) {
    fail("virDomainAttachDeviceFlags");
  }
  const std::string record = bare_record_xml(op, uuid);
  if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, record.c_str(), kRecordPrefix,
                           kRecordNamespace, VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainSetMetadata");
  }
}

void detach(virConnectPtr connection, virDomainPtr domain, const BareVolume& op) {
  virSecretPtr secret =
      virSecretLookupByUsage(connection, VIR_SECRET_USAGE_TYPE_VOLUME, op.volume_id.c_str());
  if (secret == nullptr) fail("virSecretLookupByUsage");
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virSecretGetUUIDString(secret, uuid) != 0) fail("virSecretGetUUIDString");
  if (virDomainDetachDeviceFlags(domain, bare_disk_xml(op, uuid).c_str(), VIR_DOMAIN_AFFECT_LIVE) !=
      0) {
    fail("virDomainDetachDeviceFlags");
  }
  finish_bare_detach(domain, op.target);
  if (virSecretUndefine(secret) != 0) fail("virSecretUndefine");
  virSecretFree(secret);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "attach" && argc == 8) || (mode == "detach" && argc == 7))) {
    std::fprintf(stderr,
                 "usage: %s attach URI DOMAIN TARGET SOURCE VOLUME_ID PASSPHRASE_FILE\n"
                 "       %s detach URI DOMAIN TARGET SOURCE VOLUME_ID\n",
                 argv[0], argv[0]);
    return 2;
  }
  const BareVolume op{argv[5], argv[6], argv[4]};
  virConnectPtr connection = virConnectOpen(argv[2]);
  if (connection == nullptr) {
    std::fprintf(stderr, "cannot connect to %s\n", argv[2]);
    return 1;
  }
  int status = 0;
  virDomainPtr domain = virDomainLookupByName(connection, argv[3]);
  try {
    if (domain == nullptr) fail(std::string("no domain ") + argv[3]);
    if (mode == "attach") {
      attach(connection, domain, op, argv[7]);
    } else {
      detach(connection, domain, op);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    status = 1;
  }
  if (domain != nullptr) virDomainFree(domain);
  virConnectClose(connection);
  return status;
}
