// A guest disk as volcrypt reads it from a domain (DiskInfo) and the native encryption
// it carries: the model that the plugin host (which hands disks to plugins) and the
// domain layer (which reads and writes libvirt's XML) share. Nothing here knows libvirt.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <cstdint>
#include <optional>
#include <string>
#include <volcrypt/network_source.hpp>

namespace volcrypt {

struct NativeEncryption {
  std::string format;  // "luks", "luks2"
  std::string secret_uuid;
  // A disk may name a volume secret by its usage instead (<secret usage='VOLUME'/>);
  // volcrypt's own disks always name the uuid.
  std::string secret_usage = {};
  // <encryption engine>: "qemu" or "librbd"; empty: not written, QEMU's own LUKS.
  // libvirt 9.0 reads an unwritten engine back as "qemu".
  std::string engine = {};
};

struct DiskInfo {
  std::string target;
  // <source dev>: block; <source protocol>: network (network then says more).
  volcrypt_source_kind source_kind = VOLCRYPT_SOURCE_FILE;
  // A network disk's: network_source_name(*network); for one volcrypt does not serve (a
  // gluster or http disk, an NBD unix socket, a host it cannot read) what libvirt names,
  // e.g. "gluster://10.0.0.1:24007/gv0/img", and network stays empty.
  std::string source_path;
  // rbd, iscsi and nbd disks, whether <auth> and <encryption> sit in <source> (libvirt's
  // form) or beside it (Nova's). An iSCSI name without a LUN reads as LUN 0.
  std::optional<NetworkSource> network;
  // An rbd disk on a snapshot (name 'POOL/IMAGE@SNAP' or <snapshot name='SNAP'/>): SNAP.
  // network->name then keeps "@SNAP", so the read-only snapshot is never taken for the
  // image itself (same_network_volume).
  std::string network_snapshot;
  // How <auth> named the deployer's secret beyond network->auth_secret_uuid: its type
  // ("ceph", "iscsi") and, for a secret named by usage (Nova may), that usage.
  std::string auth_secret_type;
  std::string auth_secret_usage;
  std::optional<NativeEncryption> encryption;
  std::string serial;
  bool shareable = false;
  uint32_t iothread = 0;  // <driver iothread=N>; 0: none
  // This <disk> element alone, usable for detach: from find_disk and parse_disk_element
  // only (printing every disk of a domain of hundreds costs milliseconds).
  std::string xml;
};

}  // namespace volcrypt
