// The libvirt secrets a plugin reaches through the host services (secret_define,
// secret_lookup, secret_undefine), as an interface: the host services table lives in the
// plugin host library, which links no libvirt; the libvirt side (LibvirtSecrets) plugs in.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace volcrypt {

class SecretStore {
 public:
  virtual ~SecretStore() = default;

  // Whether this operation may define and undefine secrets (attach, detach); lookups
  // are allowed whenever a store is there.
  virtual bool may_change() const = 0;
  // The uuid of the volume's secret holding value. Throws Error when it cannot.
  virtual std::string define(const std::string& usage_id, std::span<const uint8_t> value) = 0;
  virtual std::optional<std::string> lookup(const std::string& usage_id) = 0;
  virtual void undefine(const std::string& uuid) = 0;
};

}  // namespace volcrypt
