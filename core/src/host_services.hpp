// The table of host services handed to plugins (see plugin_abi.h), backed by the
// libvirt session, the host facts and the engine's log sink.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "disk_xml.hpp"
#include "host_facts.hpp"

namespace volcrypt {
class LibvirtSession;
class SecretGuard;
}  // namespace volcrypt

// What a plugin's prepare described; opaque to plugins.
struct volcrypt_attachment {
  std::optional<volcrypt_source_kind> source_kind;
  std::string source_path;
  std::optional<volcrypt::NativeEncryption> encryption;
  std::map<std::string, std::string> state;
  // Called after each state entry is set, so the operation can journal it before the
  // plugin makes what it names (a kill in between then leaves something to release).
  std::function<void()> state_set;
};

namespace volcrypt {

class HostServices {
 public:
  using Log = std::function<void(int level, const std::string& message)>;
  // session may be null (probe without libvirt, plugin checks): secret services then fail.
  HostServices(LibvirtSession* session, HostFacts facts, Log log);
  HostServices(const HostServices&) = delete;
  HostServices& operator=(const HostServices&) = delete;

  // Secrets may be defined and undefined only under a guard, which decides what this
  // operation may touch; without one (probe, host devices) the secret services refuse.
  void set_secret_guard(SecretGuard* guard) { guard_ = guard; }

  const volcrypt_host* table() const { return &table_; }
  const HostFacts& facts() const { return facts_; }

 private:
  LibvirtSession* session_;
  SecretGuard* guard_ = nullptr;
  HostFacts facts_;
  volcrypt_host_facts abi_facts_{};
  Log log_;
  volcrypt_host table_{};
};

}  // namespace volcrypt
