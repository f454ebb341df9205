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

namespace {

constexpr const char* kRecordNamespace = "urn:volcrypt:record:1";
constexpr const char* kRecordPrefix = "volcrypt";

[[noreturn]] void fail(const std::string& what) {
  const char* message = virGetLastErrorMessage();
  throw std::runtime_error(what + ": " + (message ? message : "unknown libvirt error"));
}

struct Operation {
  std::string target, source, volume_id;
};

std::string disk_xml(const Operation& op, const std::string& secret_uuid) {
  return "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" +
         op.source + "'><encryption format='luks'><secret type='passphrase' uuid='" + secret_uuid +
         "'/></encryption></source><target dev='" + op.target + "' bus='scsi'/><serial>" +
         op.volume_id + "</serial></disk>";
}

void attach(virConnectPtr connection, virDomainPtr domain, const Operation& op,
            const std::string& passphrase_file) {
  std::ifstream in(passphrase_file, std::ios::binary);
  const std::string passphrase((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
  const std::string secret_xml =
      "<secret ephemeral='no' private='yes'><description>volcrypt passphrase for volume " +
      op.volume_id + "</description><usage type='volume'><volume>" + op.volume_id +
      "</volume></usage></secret>";
  virSecretPtr secret = virSecretDefineXML(connection, secret_xml.c_str(), 0);
  if (secret == nullptr) fail("virSecretDefineXML");
  if (virSecretSetValue(secret, reinterpret_cast<const unsigned char*>(passphrase.data()),
                        passphrase.size(), 0) != 0) {
    fail("virSecretSetValue");
  }
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virSecretGetUUIDString(secret, uuid) != 0) fail("virSecretGetUUIDString");
  virSecretFree(secret);
  if (virDomainAttachDeviceFlags(domain, disk_xml(op, uuid).c_str(), VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainAttachDeviceFlags");
  }
  const std::string record = "<attachments><disk target='" + op.target + "' volume-id='" +
                             op.volume_id + "' source='" + op.source +
                             "' provider='luks' plugin='qemu-native-luks' "
                             "plugin-version='1.0.0'><state key='secret-uuid' value='" +
                             uuid + "'/></disk></attachments>";
  if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, record.c_str(), kRecordPrefix,
                           kRecordNamespace, VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainSetMetadata");
  }
}

bool disk_in_live_xml(virDomainPtr domain, const std::string& target) {
  char* xml = virDomainGetXMLDesc(domain, 0);
  if (xml == nullptr) fail("virDomainGetXMLDesc");
  const bool present = std::strstr(xml, ("<target dev='" + target + "'").c_str()) != nullptr;
  free(xml);
  return present;
}

void detach(virConnectPtr connection, virDomainPtr domain, const Operation& op) {
  virSecretPtr secret =
      virSecretLookupByUsage(connection, VIR_SECRET_USAGE_TYPE_VOLUME, op.volume_id.c_str());
  if (secret == nullptr) fail("virSecretLookupByUsage");
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virSecretGetUUIDString(secret, uuid) != 0) fail("virSecretGetUUIDString");
  if (virDomainDetachDeviceFlags(domain, disk_xml(op, uuid).c_str(), VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainDetachDeviceFlags");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (disk_in_live_xml(domain, op.target)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("the disk did not leave the domain within 15 s");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (virDomainSetMetadata(domain, VIR_DOMAIN_METADATA_ELEMENT, nullptr, kRecordPrefix,
                           kRecordNamespace, VIR_DOMAIN_AFFECT_LIVE) != 0) {
    fail("virDomainSetMetadata (remove)");
  }
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
  const Operation op{argv[4], argv[5], argv[6]};
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
