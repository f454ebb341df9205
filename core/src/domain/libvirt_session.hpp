// The core's one connection to libvirt: secrets, domains, disks and metadata.
// Every failure becomes volcrypt::Error with libvirt's own message in it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>
#include <volcrypt/secure_bytes.hpp>

#include "domain/secret_xml.hpp"

typedef struct _virConnect* virConnectPtr;
typedef struct _virDomain* virDomainPtr;
typedef struct _virSecret* virSecretPtr;

namespace volcrypt {

// One domain as it is now: both of its definitions, read once.
struct DomainSnapshot {
  std::string name;
  std::string uuid;
  bool active = false;
  bool persistent = false;
  std::string live_xml;      // empty when the domain does not run
  std::string inactive_xml;  // empty for a transient domain
};

// Where a metadata element lives in the domain XML: its namespace and the prefix its
// elements are written with.
struct MetadataElement {
  std::string namespace_uri;
  std::string prefix;
};

class LibvirtSession {
 public:
  // ephemeral_secrets: the secrets this session creates live in libvirtd's memory only.
  explicit LibvirtSession(const std::string& uri, bool ephemeral_secrets = false);
  ~LibvirtSession();
  LibvirtSession(const LibvirtSession&) = delete;
  LibvirtSession& operator=(const LibvirtSession&) = delete;

  std::string hypervisor_type();
  uint64_t hypervisor_version();
  uint64_t library_version();

  // Defines (or reuses, for the same usage id) a private volume secret and sets its
  // value; returns its uuid.
  std::string define_volume_secret(const std::string& usage_id, std::span<const uint8_t> value);
  std::optional<std::string> lookup_volume_secret(const std::string& usage_id);
  // The uuid of the secret of that usage type ("ceph", "iscsi") and usage id; nothing when
  // there is none (or libvirt knows no such usage type).
  std::optional<std::string> lookup_secret_by_usage(const std::string& usage_type,
                                                    const std::string& usage_id);
  // Defines a new private volume secret marked as volcrypt's and sets its value; a
  // failure leaves no secret behind. Returns its uuid; `uuid`, when given, is the one it
  // gets (a secret a domain's disk names, defined again).
  std::string create_volume_secret(const std::string& usage_id, std::span<const uint8_t> value,
                                   const std::string& uuid = "");
  void set_secret_value(const std::string& uuid, std::span<const uint8_t> value);
  // Nothing when there is no such secret.
  std::optional<SecretInfo> secret_info(const std::string& uuid);
  // The value of a secret that is not private (a deployer's Ceph or CHAP secret, as Nova
  // defines them), in locked memory; nothing when libvirt keeps it private or it has none.
  std::optional<SecureBytes> secret_value(const std::string& uuid);
  std::vector<SecretInfo> secrets();
  // False when there was no such secret.
  bool undefine_secret(const std::string& uuid);

  // Throws Error(not_found) naming the domain when it does not exist.
  void require_domain(const std::string& domain);
  // Every domain, running or defined.
  std::vector<std::string> domain_names();
  // Every domain with both definitions; a domain that vanishes meanwhile is left out.
  std::vector<DomainSnapshot> domain_snapshots();
  std::string domain_uuid(const std::string& domain);
  // Inside an operation, read from its live XML (see domain_running.hpp).
  bool domain_active(const std::string& domain);
  bool domain_persistent(const std::string& domain);
  std::string domain_xml(const std::string& domain, bool inactive);
  // Read anew even within an operation: for a caller waiting on a change the guest or
  // another program makes (an unplug the guest answers).
  std::string fresh_domain_xml(const std::string& domain, bool inactive);
  // The persistent definition with the domain's own secrets in it, for define_domain: a
  // definition read without them would drop them. Never logged, never in an error.
  std::string definition_to_redefine(const std::string& domain);
  // Replaces the persistent definition of the domain with xml (virDomainDefineXML).
  void define_domain(const std::string& domain, const std::string& xml);
  // Starts a defined, shut-off domain (virDomainCreate). The error carries libvirt's and
  // QEMU's own words, e.g. a LUKS passphrase QEMU could not unlock.
  void start_domain(const std::string& domain);

  // Returns once libvirt runs no other job on the domain: a killed volcrypt's last call
  // (an attach, a detach) may still be running in the daemon, and what it changes must
  // be seen before anyone decides what to undo.
  void wait_for_domain_jobs(const std::string& domain, const std::string& target);

  void attach_device(const std::string& domain, const std::string& xml, bool live, bool config);
  void detach_device(const std::string& domain, const std::string& xml, bool live, bool config);

  // The size in bytes of the running domain's disk at target, as its guest sees it
  // (virDomainGetBlockInfo's capacity).
  uint64_t disk_capacity(const std::string& domain, const std::string& target);
  // Grows the running domain's disk at target to size bytes (virDomainBlockResize): QEMU
  // takes the new size and tells the guest.
  void resize_disk(const std::string& domain, const std::string& target, uint64_t size);

  // The domain's metadata element in this namespace, or nothing when there is none. The
  // adapter knows no element's meaning: the record store (record.hpp) names its own.
  std::optional<std::string> domain_metadata(const std::string& domain,
                                             const std::string& namespace_uri, bool inactive);
  // Replaces it; an empty xml removes it.
  void set_domain_metadata(const std::string& domain, const MetadataElement& element,
                           const std::string& xml, bool live, bool config);

  // While an operation runs (OperationFacts), each fact it reads of a domain (running,
  // persistent, either XML) is read once; the session forgets a domain's XML when it
  // changes that domain itself, and everything when the operation ends.
  void begin_operation() { ++operations_; }
  void end_operation();
  // What the operation read of other domains than this one is read again: called once a
  // volume's lock is taken, since until then another volcrypt may have attached or
  // detached that volume there (this domain's lock keeps what it read of this one true).
  void forget_other_domains(const std::string& domain);
  bool in_operation() const { return operations_ > 0; }

  virConnectPtr raw() const { return connection_; }
  const std::string& uri() const { return uri_; }

 private:
  // One handle per domain for the session's life: each lookup is a round trip. A domain
  // gone since is reported as not found (and looked up afresh by the next call).
  virDomainPtr domain_handle(const std::string& name);
  [[noreturn]] void fail_on_domain(const std::string& name, const std::string& what);
  bool domain_flag(const std::string& domain, int (*query)(virDomainPtr), const char* what);
  // What this operation has read of one domain.
  struct DomainFacts {
    std::optional<bool> active;
    std::optional<bool> persistent;
    std::optional<std::string> xml[2];  // [inactive]
  };
  DomainFacts* facts_of(const std::string& domain);
  // One handle per secret for the session's life, as for domains: calls name the secret
  // by uuid, so a handle stays good until the secret is undefined.
  virSecretPtr secret_handle(const std::string& uuid);
  void remember_secret(const std::string& uuid, virSecretPtr secret);
  // The uuid of the secret of that libvirt usage type and id; what names it in errors.
  std::optional<std::string> lookup_usage(int usage_type, const std::string& usage_id,
                                          const std::string& what);
  void forget_secret(const std::string& uuid);
  void forget_xml(const std::string& domain);

  virConnectPtr connection_ = nullptr;
  std::map<std::string, virDomainPtr> domains_;
  std::string uri_;
  bool ephemeral_secrets_ = false;
  std::map<std::string, virSecretPtr> secrets_;
  std::optional<std::string> hypervisor_type_;
  std::optional<uint64_t> hypervisor_version_;
  std::optional<uint64_t> library_version_;
  int operations_ = 0;
  std::map<std::string, DomainFacts> facts_;
};

// Scopes one operation's facts (see LibvirtSession::begin_operation).
class OperationFacts {
 public:
  explicit OperationFacts(LibvirtSession& session) : session_(session) {
    session_.begin_operation();
  }
  ~OperationFacts() { session_.end_operation(); }
  OperationFacts(const OperationFacts&) = delete;
  OperationFacts& operator=(const OperationFacts&) = delete;

 private:
  LibvirtSession& session_;
};

}  // namespace volcrypt
