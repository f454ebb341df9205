// Independent checks against libvirt: what exists, seen through libvirt's own API
// rather than through volcrypt's code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

typedef struct _virConnect* virConnectPtr;

namespace volcrypt::test {

class Connection {
 public:
  // Throws with libvirt's message when unreachable.
  explicit Connection(const std::string& uri = "qemu:///system");
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  virConnectPtr get() const { return connection_; }

 private:
  virConnectPtr connection_ = nullptr;
};

// Uuids of every secret whose usage is this volume id.
std::vector<std::string> secrets_for_volume(virConnectPtr connection, const std::string& volume_id);
std::string secret_xml(virConnectPtr connection, const std::string& uuid);
// The secret's value (empty when it is missing, has none or is private): for comparing
// only, never for a message.
std::string secret_value(virConnectPtr connection, const std::string& uuid);
// Defines a private volume secret holding value, as Nova does before volcrypt existed.
std::string define_secret(virConnectPtr connection, const std::string& volume_id,
                          const std::string& value);
void undefine_secret_if_present(virConnectPtr connection, const std::string& uuid);
// libvirt keeps a persistent secret's value as base64 in its secrets folder.
std::string base64_text(const std::string& text);
// The files under secret_dir (libvirt's /etc/libvirt/secrets) that hold value, as it is
// or as libvirt stores it (base64). Files other tests remove meanwhile are skipped.
std::vector<std::string> secret_files_holding(
    const std::string& value, const std::string& secret_dir = "/etc/libvirt/secrets");

bool domain_exists(virConnectPtr connection, const std::string& name);
// The names of every domain, running or defined.
std::vector<std::string> domain_names(virConnectPtr connection);

// The volcrypt element in the domain's metadata, if any.
std::optional<std::string> volcrypt_metadata(virConnectPtr connection, const std::string& domain,
                                             bool inactive);
void attach_disk(virConnectPtr connection, const std::string& domain, const std::string& xml);
// The size of the running domain's disk at target, as libvirt reports it
// (virDomainGetBlockInfo's capacity). Throws when there is no such disk.
uint64_t disk_capacity(virConnectPtr connection, const std::string& domain,
                       const std::string& target);

}  // namespace volcrypt::test
