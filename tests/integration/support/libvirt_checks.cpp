#include "libvirt_checks.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace volcrypt::test {
namespace {

std::string last_error() {
  const char* message = virGetLastErrorMessage();
  return message ? message : "unknown libvirt error";
}

void quiet(void*, virErrorPtr) {}

}  // namespace

Connection::Connection(const std::string& uri) {
  virSetErrorFunc(nullptr, &quiet);
  connection_ = virConnectOpen(uri.c_str());
  if (connection_ == nullptr) {
    throw std::runtime_error("libvirtd at " + uri + " is not reachable (" + last_error() +
                             "); start the system one with .ci/start-libvirtd");
  }
}

Connection::~Connection() {
  if (connection_) virConnectClose(connection_);
}

std::vector<std::string> secrets_for_volume(virConnectPtr connection,
                                            const std::string& volume_id) {
  std::vector<std::string> out;
  virSecretPtr* secrets = nullptr;
  int count = virConnectListAllSecrets(connection, &secrets, VIR_CONNECT_LIST_SECRETS_PRIVATE);
  for (int i = 0; i < count; ++i) {
    const char* usage = virSecretGetUsageID(secrets[i]);
    if (virSecretGetUsageType(secrets[i]) == VIR_SECRET_USAGE_TYPE_VOLUME && usage &&
        volume_id == usage) {
      char uuid[VIR_UUID_STRING_BUFLEN];
      virSecretGetUUIDString(secrets[i], uuid);
      out.emplace_back(uuid);
    }
    virSecretFree(secrets[i]);
  }
  free(secrets);
  return out;
}

std::string secret_xml(virConnectPtr connection, const std::string& uuid) {
  virSecretPtr secret = virSecretLookupByUUIDString(connection, uuid.c_str());
  if (secret == nullptr) return "";
  char* xml = virSecretGetXMLDesc(secret, 0);
  std::string out = xml ? xml : "";
  free(xml);
  virSecretFree(secret);
  return out;
}

std::string secret_value(virConnectPtr connection, const std::string& uuid) {
  virSecretPtr secret = virSecretLookupByUUIDString(connection, uuid.c_str());
  if (secret == nullptr) return "";
  size_t size = 0;
  unsigned char* value = virSecretGetValue(secret, &size, 0);
  std::string out = value ? std::string(reinterpret_cast<const char*>(value), size) : "";
  free(value);
  virSecretFree(secret);
  return out;
}

std::string define_secret(virConnectPtr connection, const std::string& volume_id,
                          const std::string& value) {
  std::string xml = "<secret ephemeral='no' private='yes'><usage type='volume'><volume>" +
                    volume_id + "</volume></usage></secret>";
  virSecretPtr secret = virSecretDefineXML(connection, xml.c_str(), 0);
  if (secret == nullptr) throw std::runtime_error("cannot define secret: " + last_error());
  if (virSecretSetValue(secret, reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                        0) != 0) {
    virSecretUndefine(secret);
    virSecretFree(secret);
    throw std::runtime_error("cannot set secret value: " + last_error());
  }
  char uuid[VIR_UUID_STRING_BUFLEN];
  virSecretGetUUIDString(secret, uuid);
  virSecretFree(secret);
  return uuid;
}

void undefine_secret_if_present(virConnectPtr connection, const std::string& uuid) {
  virSecretPtr secret = virSecretLookupByUUIDString(connection, uuid.c_str());
  if (secret == nullptr) return;
  virSecretUndefine(secret);
  virSecretFree(secret);
}

std::string base64_text(const std::string& text) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const unsigned n =
        (uint8_t(text[i]) << 16) | (uint8_t(text[i + 1]) << 8) | uint8_t(text[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += digits[(n >> shift) & 63];
  }
  const size_t left = text.size() - i;
  if (left == 0) return out;
  const unsigned n = (uint8_t(text[i]) << 16) | (left == 2 ? uint8_t(text[i + 1]) << 8 : 0);
  out += digits[(n >> 18) & 63];
  out += digits[(n >> 12) & 63];
  out += left == 2 ? digits[(n >> 6) & 63] : '=';
  out += '=';
  return out;
}

std::vector<std::string> secret_files_holding(const std::string& value,
                                              const std::string& secret_dir) {
  std::vector<std::string> holding;
  const std::string encoded = base64_text(value);
  std::error_code error;
  std::filesystem::recursive_directory_iterator it(secret_dir, error);
  for (; !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code kind_error;
    if (!it->is_regular_file(kind_error)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    if (!in) continue;
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.find(value) != std::string::npos || text.find(encoded) != std::string::npos) {
      holding.push_back(it->path());
    }
  }
  if (error && error != std::errc::no_such_file_or_directory) {
    throw std::runtime_error("cannot walk " + secret_dir + ": " + error.message());
  }
  return holding;
}

bool domain_exists(virConnectPtr connection, const std::string& name) {
  virDomainPtr domain = virDomainLookupByName(connection, name.c_str());
  if (domain == nullptr) return false;
  virDomainFree(domain);
  return true;
}

std::vector<std::string> domain_names(virConnectPtr connection) {
  std::vector<std::string> names;
  virDomainPtr* domains = nullptr;
  const int count = virConnectListAllDomains(connection, &domains, 0);
  for (int i = 0; i < count; ++i) {
    names.emplace_back(virDomainGetName(domains[i]));
    virDomainFree(domains[i]);
  }
  free(domains);
  return names;
}

std::optional<std::string> volcrypt_metadata(virConnectPtr connection, const std::string& domain,
                                             bool inactive) {
  virDomainPtr dom = virDomainLookupByName(connection, domain.c_str());
  if (dom == nullptr) return std::nullopt;
  char* xml = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, "urn:volcrypt:record:1",
                                   inactive ? VIR_DOMAIN_AFFECT_CONFIG : VIR_DOMAIN_AFFECT_LIVE);
  virDomainFree(dom);
  if (xml == nullptr) return std::nullopt;
  std::string out = xml;
  free(xml);
  return out;
}

void attach_disk(virConnectPtr connection, const std::string& domain, const std::string& xml) {
  virDomainPtr dom = virDomainLookupByName(connection, domain.c_str());
  if (dom == nullptr) throw std::runtime_error("no domain " + domain);
  int rc = virDomainAttachDeviceFlags(dom, xml.c_str(), VIR_DOMAIN_AFFECT_LIVE);
  virDomainFree(dom);
  if (rc != 0) throw std::runtime_error("cannot attach disk: " + last_error());
}

uint64_t disk_capacity(virConnectPtr connection, const std::string& domain,
                       const std::string& target) {
  virDomainPtr dom = virDomainLookupByName(connection, domain.c_str());
  if (dom == nullptr) throw std::runtime_error("no domain " + domain);
  virDomainBlockInfo info{};
  const int rc = virDomainGetBlockInfo(dom, target.c_str(), &info, 0);
  virDomainFree(dom);
  if (rc < 0) throw std::runtime_error("no size for disk " + target + " of domain " + domain);
  return info.capacity;
}

}  // namespace volcrypt::test
