// The secret services of plugins backed by libvirt: lookups through the session, and
// defining or undefining only under the operation's SecretGuard.
#pragma once

#include "plugin_host/secret_store.hpp"

namespace volcrypt {

class LibvirtSession;
class SecretGuard;

class LibvirtSecrets : public SecretStore {
 public:
  // guard may be null (probe): secrets can then be looked up, never changed.
  explicit LibvirtSecrets(LibvirtSession& session, SecretGuard* guard = nullptr)
      : session_(session), guard_(guard) {}

  bool may_change() const override { return guard_ != nullptr; }
  std::string define(const std::string& usage_id, std::span<const uint8_t> value) override;
  std::optional<std::string> lookup(const std::string& usage_id) override;
  void undefine(const std::string& uuid) override;

 private:
  LibvirtSession& session_;
  SecretGuard* guard_;
};

}  // namespace volcrypt
