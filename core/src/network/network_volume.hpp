// A network volume (Ceph RBD image, iSCSI LUN, NBD export) read by the host itself
// through the protocol's own library: no host block device, no qemu-img, no rbd map.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <volcrypt/network_source.hpp>
#include <volcrypt/secure_bytes.hpp>

namespace volcrypt {

// Every connect, login and read gives up after this long, so that an unreachable
// monitor, portal or server fails in seconds instead of hanging.
inline constexpr int kNetworkTimeoutSeconds = 10;

struct NetworkCredentials {
  // The value of the deployer's secret for source.auth_username: for rbd the Ceph key's
  // raw (base64-decoded) bytes, as a libvirt secret of usage type ceph holds it; for
  // iscsi the CHAP password. Empty: none (rbd then takes the key from ceph.conf's
  // keyring, if any). Never put in an error, a log or a command line.
  SecureBytes secret;
  // rbd: the ceph.conf to read first (monitors, keyring); nothing: none at all, only
  // what the source says. The settings' ceph_conf when that file exists.
  std::optional<std::string> ceph_conf;
};

class NetworkVolume {
 public:
  virtual ~NetworkVolume() = default;
  // What messages call it: network_source_name of its source.
  const std::string& name() const { return name_; }
  // The volume's size in bytes, as the server said when the volume was opened.
  uint64_t size() const { return size_; }
  // Fills `into` with the bytes at offset. The range must lie within size(): a read past
  // the end throws Error(internal) rather than return zeros that are not there. A
  // failing read throws Error(not_found) naming the volume and what failed.
  void read(uint64_t offset, std::span<uint8_t> into);

 protected:
  NetworkVolume(std::string name, uint64_t size) : name_(std::move(name)), size_(size) {}
  // read() within the volume's bounds.
  virtual void read_within(uint64_t offset, std::span<uint8_t> into) = 0;

 private:
  std::string name_;
  uint64_t size_;
};

// Connects, authenticates and opens source (read-only), each step bounded by
// kNetworkTimeoutSeconds. Throws Error naming the volume (network_source_name) and what
// failed: not_found for no such image, pool, target, LUN or export, for a server,
// monitor or portal that cannot be reached or never answers, and for a refused login or
// key (as for a file that cannot be read: exit 3); usage for a name or settings the
// library cannot take (no monitors and no ceph.conf, a key that is no Ceph key);
// internal when the library itself cannot start. The secret never appears in one.
std::unique_ptr<NetworkVolume> open_network_volume(const NetworkSource& source,
                                                   const NetworkCredentials& credentials);

}  // namespace volcrypt
