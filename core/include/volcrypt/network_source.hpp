// A volume QEMU reaches over the network by itself: a Ceph RBD image, an iSCSI LUN
// through QEMU's own initiator, an NBD export. No host block device exists for it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace volcrypt {

enum class NetworkProtocol { rbd, iscsi, nbd };

// "rbd", "iscsi", "nbd": libvirt's <source protocol=...>.
const char* protocol_name(NetworkProtocol protocol);

struct NetworkHost {
  std::string name;   // an IPv4 address, an IPv6 address (no brackets) or a DNS name
  uint16_t port = 0;  // 0: the protocol's default (rbd 6789, iscsi 3260, nbd 10809)

  bool operator==(const NetworkHost&) const = default;
};

struct NetworkSource {
  NetworkProtocol protocol = NetworkProtocol::rbd;
  // rbd: "POOL/IMAGE"; iscsi: "IQN/LUN"; nbd: the export name. libvirt's <source name>.
  std::string name;
  // rbd: the monitors (empty: the cluster's ceph.conf says); iscsi: the portal(s);
  // nbd: the server.
  std::vector<NetworkHost> hosts;
  // rbd: the Ceph user without "client." (Nova's rbd_user); iscsi: the CHAP user.
  // Empty: no authentication.
  std::string auth_username;
  // The deployer's libvirt secret for that user (usage type "ceph" or "iscsi"). volcrypt
  // checks it exists and never defines, changes or removes it.
  std::string auth_secret_uuid;
  std::string cluster_name = "ceph";  // rbd only
  bool discard = false;               // Cinder's "discard": <driver discard='unmap'>

  bool operator==(const NetworkSource&) const = default;
};

// What records, output and errors call the volume, and what `--source` takes:
// "rbd:POOL/IMAGE", "iscsi://HOST[:PORT]/IQN/LUN", "nbd://HOST[:PORT]/EXPORT".
std::string network_source_name(const NetworkSource& source);

// Nothing when `given` is not written as a network source (a path); the source it
// names otherwise. Throws Error(usage) naming what is wrong when it is written as one
// but breaks its protocol's rules (see validate_network_source).
std::optional<NetworkSource> parse_network_source(const std::string& given);

// Throws Error(usage) naming the field unless every part meets its protocol's rules:
// pool and image names, monitors and portals (host names, addresses, ports), IQNs and
// LUNs, export names, user names and the secret's uuid. Run before anything is
// created; nothing that fails here reaches libvirt's XML or a library's options.
void validate_network_source(const NetworkSource& source);

// "HOST[:PORT]" as a command line or a portal writes it (an IPv6 address in brackets:
// "[fd00::1]:6789"), its host checked as validate_network_source checks it. Throws
// Error(usage) naming `field` (e.g. "--monitor") and the text.
NetworkHost parse_network_host(const std::string& text, const std::string& field);

// What parse_network_host reads: "HOST" or "HOST:PORT", an IPv6 address in brackets.
std::string network_host_text(const NetworkHost& host);

// The port a host with port 0 is reached on: rbd 6789, iscsi 3260, nbd 10809.
uint16_t default_port(NetworkProtocol protocol);

// Whether two sources are one volume: the same protocol and name and, for rbd, the
// same cluster (monitor lists that share a monitor, or either empty and the same
// cluster name, which then picks the ceph.conf); for iscsi and nbd the same server.
// Hosts compare without regard to case, a port 0 as the protocol's default.
bool same_network_volume(const NetworkSource& a, const NetworkSource& b);

}  // namespace volcrypt
