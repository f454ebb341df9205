#include "domain/libvirt_session.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <volcrypt/error.hpp>

#include "domain/domain_running.hpp"
#include "domain/secret_xml.hpp"

namespace volcrypt {
namespace {

struct DomainFree {
  void operator()(virDomainPtr domain) const { virDomainFree(domain); }
};
struct SecretFree {
  void operator()(virSecretPtr secret) const { virSecretFree(secret); }
};
struct MallocFree {
  void operator()(char* text) const { std::free(text); }
};
using Domain = std::unique_ptr<virDomain, DomainFree>;
using Secret = std::unique_ptr<virSecret, SecretFree>;
using MallocText = std::unique_ptr<char, MallocFree>;

// libvirt's default handler prints every error to stderr; the core reports errors
// itself, once, through volcrypt::Error.
void ignore_libvirt_error(void*, virErrorPtr) {}

std::string last_message() { return virGetLastErrorMessage(); }

int last_code() {
  virErrorPtr error = virGetLastError();
  return error != nullptr ? error->code : VIR_ERR_OK;
}

[[noreturn]] void fail(const std::string& what) {
  throw Error(ErrorKind::libvirt, what + ": " + last_message());
}

unsigned int affect_flags(bool live, bool config) {
  unsigned int flags = VIR_DOMAIN_AFFECT_CURRENT;
  if (live) flags |= VIR_DOMAIN_AFFECT_LIVE;
  if (config) flags |= VIR_DOMAIN_AFFECT_CONFIG;
  return flags;
}

Domain lookup_domain(virConnectPtr connection, const std::string& name) {
  Domain domain(virDomainLookupByName(connection, name.c_str()));
  if (!domain) {
    if (last_code() == VIR_ERR_NO_DOMAIN) {
      throw Error(ErrorKind::not_found, "domain '" + name + "' not found");
    }
    fail("cannot look up domain '" + name + "'");
  }
  return domain;
}

std::vector<Domain> all_domains(virConnectPtr connection, unsigned int flags = 0) {
  virDomainPtr* list = nullptr;
  int count = virConnectListAllDomains(connection, &list, flags);
  if (count < 0) fail("cannot list the domains");
  std::vector<Domain> handles;
  for (int i = 0; i < count; ++i) handles.emplace_back(list[i]);
  std::free(list);
  return handles;
}

}  // namespace

LibvirtSession::LibvirtSession(const std::string& uri, bool ephemeral_secrets)
    : uri_(uri), ephemeral_secrets_(ephemeral_secrets) {
  virSetErrorFunc(nullptr, ignore_libvirt_error);
  connection_ = virConnectOpen(uri.empty() ? nullptr : uri.c_str());
  if (connection_ == nullptr) {
    throw Error(ErrorKind::libvirt, "cannot connect to libvirt at " + uri + ": " + last_message());
  }
}

LibvirtSession::~LibvirtSession() {
  for (auto& [name, handle] : domains_) virDomainFree(handle);
  for (auto& [uuid, handle] : secrets_) virSecretFree(handle);
  if (connection_ != nullptr) virConnectClose(connection_);
}

// The daemon cannot change under a connection (a restarted one ends it), so each of
// these is asked once per session.
std::string LibvirtSession::hypervisor_type() {
  if (!hypervisor_type_) {
    const char* type = virConnectGetType(connection_);
    if (type == nullptr) fail("cannot read the hypervisor type");
    hypervisor_type_ = type;
  }
  return *hypervisor_type_;
}

uint64_t LibvirtSession::hypervisor_version() {
  if (!hypervisor_version_) {
    unsigned long version = 0;
    if (virConnectGetVersion(connection_, &version) < 0) {
      fail("cannot read the hypervisor version");
    }
    hypervisor_version_ = version;
  }
  return *hypervisor_version_;
}

uint64_t LibvirtSession::library_version() {
  if (!library_version_) {
    unsigned long version = 0;
    if (virConnectGetLibVersion(connection_, &version) < 0) {
      fail("cannot read the libvirt library version");
    }
    library_version_ = version;
  }
  return *library_version_;
}

virSecretPtr LibvirtSession::secret_handle(const std::string& uuid) {
  auto found = secrets_.find(uuid);
  if (found != secrets_.end()) return found->second;
  virSecretPtr secret = virSecretLookupByUUIDString(connection_, uuid.c_str());
  if (secret == nullptr) return nullptr;
  return secrets_.emplace(uuid, secret).first->second;
}

// A handle is only the secret's uuid on this connection; each call through it asks the
// daemon, so a secret gone since is reported by that call as by a fresh lookup.
void LibvirtSession::remember_secret(const std::string& uuid, virSecretPtr secret) {
  forget_secret(uuid);
  secrets_.emplace(uuid, secret);
}

void LibvirtSession::forget_secret(const std::string& uuid) {
  auto found = secrets_.find(uuid);
  if (found == secrets_.end()) return;
  virSecretFree(found->second);
  secrets_.erase(found);
}

std::string LibvirtSession::define_volume_secret(const std::string& usage_id,
                                                 std::span<const uint8_t> value) {
  if (auto existing = lookup_volume_secret(usage_id)) {
    set_secret_value(*existing, value);
    return *existing;
  }
  return create_volume_secret(usage_id, value);
}

std::string LibvirtSession::create_volume_secret(const std::string& usage_id,
                                                 std::span<const uint8_t> value,
                                                 const std::string& uuid) {
  const std::string xml = build_volume_secret_xml(usage_id, {ephemeral_secrets_, uuid});
  Secret secret(virSecretDefineXML(connection_, xml.c_str(), 0));
  if (!secret) fail("cannot define a libvirt secret for volume " + usage_id);
  if (virSecretSetValue(secret.get(), value.data(), value.size(), 0) < 0) {
    std::string message = last_message();
    virSecretUndefine(secret.get());
    throw Error(ErrorKind::libvirt, "cannot set the value of the libvirt secret for volume " +
                                        usage_id + ": " + message);
  }
  char defined_uuid[VIR_UUID_STRING_BUFLEN];
  if (virSecretGetUUIDString(secret.get(), defined_uuid) < 0) {
    fail("cannot read the uuid of the libvirt secret for volume " + usage_id);
  }
  remember_secret(defined_uuid, secret.release());  // detach checks and undefines it
  return defined_uuid;
}

void LibvirtSession::set_secret_value(const std::string& uuid, std::span<const uint8_t> value) {
  virSecretPtr secret = secret_handle(uuid);
  if (secret == nullptr) fail("cannot look up the libvirt secret " + uuid);
  if (virSecretSetValue(secret, value.data(), value.size(), 0) < 0) {
    if (last_code() == VIR_ERR_NO_SECRET) forget_secret(uuid);
    fail("cannot set the value of the libvirt secret " + uuid);
  }
}

std::optional<std::string> LibvirtSession::lookup_volume_secret(const std::string& usage_id) {
  return lookup_usage(VIR_SECRET_USAGE_TYPE_VOLUME, usage_id, "libvirt secret for volume");
}

std::optional<std::string> LibvirtSession::lookup_secret_by_usage(const std::string& usage_type,
                                                                  const std::string& usage_id) {
  if (usage_type == "ceph")
    return lookup_usage(VIR_SECRET_USAGE_TYPE_CEPH, usage_id, "ceph secret");
  if (usage_type == "iscsi") {
    return lookup_usage(VIR_SECRET_USAGE_TYPE_ISCSI, usage_id, "iscsi secret");
  }
  return std::nullopt;
}

std::optional<std::string> LibvirtSession::lookup_usage(int usage_type, const std::string& usage_id,
                                                        const std::string& what) {
  Secret secret(virSecretLookupByUsage(connection_, usage_type, usage_id.c_str()));
  if (!secret) {
    if (last_code() == VIR_ERR_NO_SECRET) return std::nullopt;
    fail("cannot look up the " + what + " " + usage_id);
  }
  char uuid[VIR_UUID_STRING_BUFLEN];
  if (virSecretGetUUIDString(secret.get(), uuid) < 0) {
    fail("cannot read the uuid of the " + what + " " + usage_id);
  }
  remember_secret(uuid, secret.release());
  return std::string(uuid);
}

bool LibvirtSession::undefine_secret(const std::string& uuid) {
  virSecretPtr secret = secret_handle(uuid);
  if (secret == nullptr) {
    // A string that is not a uuid names no secret either.
    int code = last_code();
    if (code == VIR_ERR_NO_SECRET || code == VIR_ERR_INVALID_ARG) return false;
    fail("cannot look up the libvirt secret " + uuid);
  }
  const int undefined = virSecretUndefine(secret);
  const int code = undefined < 0 ? last_code() : 0;
  if (undefined == 0 || code == VIR_ERR_NO_SECRET) forget_secret(uuid);
  if (code == VIR_ERR_NO_SECRET) return false;  // gone since it was looked up
  if (undefined < 0) fail("cannot undefine the libvirt secret " + uuid);
  return true;
}

std::optional<SecureBytes> LibvirtSession::secret_value(const std::string& uuid) {
  virSecretPtr secret = secret_handle(uuid);
  if (secret == nullptr) fail("cannot look up the libvirt secret " + uuid);
  size_t size = 0;
  unsigned char* raw = virSecretGetValue(secret, &size, 0);
  if (raw == nullptr) {
    const int code = last_code();
    // Private, or defined without a value yet: the caller goes on without it.
    if (code == VIR_ERR_INVALID_SECRET || code == VIR_ERR_OPERATION_DENIED ||
        code == VIR_ERR_NO_SECRET) {
      return std::nullopt;
    }
    fail("cannot read the value of the libvirt secret " + uuid);
  }
  SecureBytes value(size);
  std::copy(raw, raw + size, value.data());
  explicit_bzero(raw, size);
  free(raw);  // NOLINT: libvirt allocates the value with malloc
  return value;
}

std::optional<SecretInfo> LibvirtSession::secret_info(const std::string& uuid) {
  virSecretPtr secret = secret_handle(uuid);
  if (secret == nullptr) {
    int code = last_code();
    if (code == VIR_ERR_NO_SECRET || code == VIR_ERR_INVALID_ARG) return std::nullopt;
    fail("cannot look up the libvirt secret " + uuid);
  }
  MallocText xml(virSecretGetXMLDesc(secret, 0));
  if (!xml) {
    if (last_code() == VIR_ERR_NO_SECRET) {
      forget_secret(uuid);
      return std::nullopt;
    }
    fail("cannot read the definition of the libvirt secret " + uuid);
  }
  SecretInfo info = parse_secret_xml(xml.get());
  info.uuid = uuid;
  return info;
}

std::vector<SecretInfo> LibvirtSession::secrets() {
  virSecretPtr* list = nullptr;
  int count = virConnectListAllSecrets(connection_, &list, 0);
  if (count < 0) fail("cannot list the libvirt secrets");
  std::vector<Secret> handles;
  for (int i = 0; i < count; ++i) handles.emplace_back(list[i]);
  std::free(list);
  std::vector<SecretInfo> out;
  for (auto& secret : handles) {
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (virSecretGetUUIDString(secret.get(), uuid) < 0) continue;
    MallocText xml(virSecretGetXMLDesc(secret.get(), 0));
    if (!xml) continue;  // undefined meanwhile
    SecretInfo info = parse_secret_xml(xml.get());
    info.uuid = uuid;
    out.push_back(std::move(info));
  }
  return out;
}

void LibvirtSession::require_domain(const std::string& domain) { domain_handle(domain); }

virDomainPtr LibvirtSession::domain_handle(const std::string& name) {
  auto found = domains_.find(name);
  if (found != domains_.end()) return found->second;
  return domains_.emplace(name, lookup_domain(connection_, name).release()).first->second;
}

void LibvirtSession::fail_on_domain(const std::string& name, const std::string& what) {
  if (last_code() == VIR_ERR_NO_DOMAIN) {
    // Gone since it was looked up: as if looked up now. The next call looks again.
    auto found = domains_.find(name);
    if (found != domains_.end()) {
      virDomainFree(found->second);
      domains_.erase(found);
    }
    facts_.erase(name);
    throw Error(ErrorKind::not_found, "domain '" + name + "' not found");
  }
  fail(what);
}

std::vector<std::string> LibvirtSession::domain_names() {
  std::vector<std::string> names;
  for (auto& domain : all_domains(connection_)) {
    if (const char* name = virDomainGetName(domain.get())) names.emplace_back(name);
  }
  return names;
}

std::vector<DomainSnapshot> LibvirtSession::domain_snapshots() {
  std::vector<Domain> domains = all_domains(connection_);
  // A listed domain's id says whether it runs (-1: shut off) with no round trip. A domain
  // that is shut off is persistent (a transient one ends when it stops); of the running
  // ones, one more listing says which are transient, unless this operation knows already.
  std::optional<std::set<std::string>> transient;
  auto is_persistent = [&](const char* uuid, bool active, DomainFacts* known) {
    if (!active) return true;
    if (known != nullptr && known->persistent) return *known->persistent;
    if (!transient) {
      transient.emplace();
      for (auto& other : all_domains(connection_, VIR_CONNECT_LIST_DOMAINS_TRANSIENT)) {
        char other_uuid[VIR_UUID_STRING_BUFLEN] = {};
        if (virDomainGetUUIDString(other.get(), other_uuid) == 0) transient->insert(other_uuid);
      }
    }
    return !transient->contains(uuid);
  };
  std::vector<DomainSnapshot> out;
  for (auto& domain : domains) {
    DomainSnapshot snapshot;
    const char* name = virDomainGetName(domain.get());
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (name == nullptr || virDomainGetUUIDString(domain.get(), uuid) < 0) continue;
    snapshot.name = name;
    snapshot.uuid = uuid;
    DomainFacts* known = facts_of(snapshot.name);
    snapshot.active = virDomainGetID(domain.get()) != static_cast<unsigned int>(-1);
    snapshot.persistent = is_persistent(uuid, snapshot.active, known);
    bool vanished = false;
    for (bool inactive : {false, true}) {
      if (inactive ? !snapshot.persistent : !snapshot.active) continue;
      std::string& xml = inactive ? snapshot.inactive_xml : snapshot.live_xml;
      if (known != nullptr && known->xml[inactive]) {
        xml = *known->xml[inactive];
        continue;
      }
      MallocText text(virDomainGetXMLDesc(domain.get(), inactive ? VIR_DOMAIN_XML_INACTIVE : 0));
      if (!text) {
        vanished = true;
        break;
      }
      xml = text.get();
      if (in_operation()) facts_[snapshot.name].xml[inactive] = xml;
    }
    if (vanished) continue;
    out.push_back(std::move(snapshot));
  }
  return out;
}

std::string LibvirtSession::domain_uuid(const std::string& domain) {
  char uuid[VIR_UUID_STRING_BUFLEN] = {};
  if (virDomainGetUUIDString(domain_handle(domain), uuid) < 0) {
    fail_on_domain(domain, "cannot read the uuid of domain '" + domain + "'");
  }
  return uuid;
}

LibvirtSession::DomainFacts* LibvirtSession::facts_of(const std::string& domain) {
  if (!in_operation()) return nullptr;
  return &facts_[domain];
}

void LibvirtSession::forget_xml(const std::string& domain) {
  auto found = facts_.find(domain);
  if (found == facts_.end()) return;
  found->second.xml[0].reset();
  found->second.xml[1].reset();
}

void LibvirtSession::forget_other_domains(const std::string& domain) {
  std::erase_if(facts_, [&](const auto& entry) { return entry.first != domain; });
}

void LibvirtSession::end_operation() {
  if (--operations_ == 0) facts_.clear();
}

bool LibvirtSession::domain_flag(const std::string& domain, int (*query)(virDomainPtr),
                                 const char* what) {
  int answer = query(domain_handle(domain));
  if (answer < 0) fail_on_domain(domain, "cannot tell whether domain '" + domain + "' is " + what);
  return answer == 1;
}

bool LibvirtSession::domain_active(const std::string& domain) {
  DomainFacts* known = facts_of(domain);
  if (known == nullptr) return domain_flag(domain, virDomainIsActive, "running");
  // An operation reads the live XML anyway (the free target, the disk to unplug), and it
  // says whether the domain runs: one round trip fewer.
  if (!known->active) known->active = xml_says_running(domain_xml(domain, /*inactive=*/false));
  return *known->active;
}

bool LibvirtSession::domain_persistent(const std::string& domain) {
  DomainFacts* known = facts_of(domain);
  if (known != nullptr && known->persistent) return *known->persistent;
  const bool persistent = domain_flag(domain, virDomainIsPersistent, "persistent");
  if (known != nullptr) known->persistent = persistent;
  return persistent;
}

std::string LibvirtSession::domain_xml(const std::string& domain, bool inactive) {
  DomainFacts* known = facts_of(domain);
  if (known != nullptr && known->xml[inactive]) return *known->xml[inactive];
  return fresh_domain_xml(domain, inactive);
}

std::string LibvirtSession::fresh_domain_xml(const std::string& domain, bool inactive) {
  virDomainPtr handle = domain_handle(domain);
  // Never VIR_DOMAIN_XML_SECURE: volcrypt has no use for secret material in XML.
  MallocText xml(virDomainGetXMLDesc(handle, inactive ? VIR_DOMAIN_XML_INACTIVE : 0));
  if (!xml) fail_on_domain(domain, "cannot read the definition of domain '" + domain + "'");
  if (DomainFacts* known = facts_of(domain)) known->xml[inactive] = xml.get();
  return xml.get();
}

std::string LibvirtSession::definition_to_redefine(const std::string& domain) {
  // SECURE: what is defined again must keep the domain's own secrets (e.g. a VNC password);
  // this text never leaves the core.
  MallocText xml(
      virDomainGetXMLDesc(domain_handle(domain), VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE));
  if (!xml) fail_on_domain(domain, "cannot read the definition of domain '" + domain + "'");
  return xml.get();
}

void LibvirtSession::define_domain(const std::string& domain, const std::string& xml) {
  forget_xml(domain);
  Domain defined(virDomainDefineXML(connection_, xml.c_str()));
  if (!defined) fail("libvirt refused the new definition of domain '" + domain + "'");
}

void LibvirtSession::start_domain(const std::string& domain) {
  virDomainPtr handle = domain_handle(domain);
  facts_.erase(domain);
  if (virDomainCreate(handle) < 0)
    fail_on_domain(domain, "libvirt could not start domain '" + domain + "'");
}

void LibvirtSession::wait_for_domain_jobs(const std::string& domain, const std::string& target) {
  virDomainPtr handle = domain_handle(domain);
  forget_xml(domain);
  // Block info is a query job, which libvirt runs only after the running modify job
  // (attach or detach) ends. Its answer, or its error for a missing disk, is not needed.
  virDomainBlockInfo info;
  (void)virDomainGetBlockInfo(handle, target.c_str(), &info, 0);
}

void LibvirtSession::attach_device(const std::string& domain, const std::string& xml, bool live,
                                   bool config) {
  virDomainPtr handle = domain_handle(domain);
  forget_xml(domain);
  if (virDomainAttachDeviceFlags(handle, xml.c_str(), affect_flags(live, config)) < 0) {
    // The engine reads QEMU's own words (e.g. a wrong passphrase) from this message.
    fail_on_domain(domain, "libvirt refused to attach the disk to domain '" + domain + "'");
  }
}

void LibvirtSession::detach_device(const std::string& domain, const std::string& xml, bool live,
                                   bool config) {
  virDomainPtr handle = domain_handle(domain);
  forget_xml(domain);
  if (virDomainDetachDeviceFlags(handle, xml.c_str(), affect_flags(live, config)) < 0) {
    fail_on_domain(domain, "libvirt refused to detach the disk from domain '" + domain + "'");
  }
}

uint64_t LibvirtSession::disk_capacity(const std::string& domain, const std::string& target) {
  virDomainPtr handle = domain_handle(domain);
  virDomainBlockInfo info{};
  if (virDomainGetBlockInfo(handle, target.c_str(), &info, 0) < 0) {
    fail_on_domain(domain,
                   "cannot read the size of disk " + target + " of domain '" + domain + "'");
  }
  return info.capacity;
}

void LibvirtSession::resize_disk(const std::string& domain, const std::string& target,
                                 uint64_t size) {
  virDomainPtr handle = domain_handle(domain);
  forget_xml(domain);
  if (virDomainBlockResize(handle, target.c_str(), size, VIR_DOMAIN_BLOCK_RESIZE_BYTES) < 0) {
    fail_on_domain(domain, "libvirt refused to resize disk " + target + " of domain '" + domain +
                               "' to " + std::to_string(size) + " bytes");
  }
}

std::optional<std::string> LibvirtSession::domain_metadata(const std::string& domain,
                                                           const std::string& namespace_uri,
                                                           bool inactive) {
  // CURRENT is the live side of a running domain and the config of a shut-off one; a
  // transient domain has no config, so its live side answers for it.
  const unsigned int side = !inactive                   ? VIR_DOMAIN_AFFECT_CURRENT
                            : domain_persistent(domain) ? VIR_DOMAIN_AFFECT_CONFIG
                                                        : VIR_DOMAIN_AFFECT_LIVE;
  MallocText xml(virDomainGetMetadata(domain_handle(domain), VIR_DOMAIN_METADATA_ELEMENT,
                                      namespace_uri.c_str(), side));
  if (!xml) {
    if (last_code() == VIR_ERR_NO_DOMAIN_METADATA) return std::nullopt;
    fail_on_domain(domain,
                   "cannot read the metadata '" + namespace_uri + "' of domain '" + domain + "'");
  }
  return std::string(xml.get());
}

void LibvirtSession::set_domain_metadata(const std::string& domain, const MetadataElement& element,
                                         const std::string& xml, bool live, bool config) {
  // Without live state to change the config is what the next start reads: CURRENT says
  // so in the call itself; both sides of a shut-off domain are its config alone.
  unsigned int flags = VIR_DOMAIN_AFFECT_CURRENT;
  if (live && config) {
    flags = domain_active(domain) ? affect_flags(true, true) : affect_flags(false, true);
  } else if (config) {
    flags = VIR_DOMAIN_AFFECT_CONFIG;
  }
  forget_xml(domain);
  if (virDomainSetMetadata(domain_handle(domain), VIR_DOMAIN_METADATA_ELEMENT,
                           xml.empty() ? nullptr : xml.c_str(), element.prefix.c_str(),
                           element.namespace_uri.c_str(), flags) < 0) {
    fail_on_domain(domain, "cannot write the metadata '" + element.namespace_uri + "' of domain '" +
                               domain + "'");
  }
}

}  // namespace volcrypt
