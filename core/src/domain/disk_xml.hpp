// libvirt <disk> XML: built for attach, read back for detach and inference.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <optional>
#include <string>
#include <vector>
#include <volcrypt/network_source.hpp>
#include <volcrypt/types.hpp>

#include "model/disk.hpp"

namespace volcrypt {

struct DiskSpec {
  volcrypt_source_kind source_kind = VOLCRYPT_SOURCE_FILE;
  std::string source_path;  // a network disk's is network_source_name(*network), unused here
  // Set exactly when source_kind is VOLCRYPT_SOURCE_NETWORK.
  std::optional<NetworkSource> network;
  std::string target;
  Bus bus = Bus::scsi;
  std::optional<NativeEncryption> encryption;
  std::string serial;      // the volume id, as Nova sets it; may be empty
  bool shareable = false;  // a multi-attach volume: <shareable/>
  uint32_t iothread = 0;   // <driver iothread=N>; 0: none
};

// <disk type='file|block' device='disk'><driver name='qemu' type='raw' [iothread=N]/>
// <source file|dev=...>[<encryption>...]</source><target dev=... bus=.../></disk>
// A network disk: <disk type='network'>, <driver discard='unmap'> for network->discard,
// <source protocol=... name=...> holding its <host>s, <config> (an rbd cluster other
// than "ceph"), <auth> and <encryption>. Throws Error(usage) for authentication its
// protocol cannot carry, Error(internal) when network and source_kind disagree.
std::string build_disk_xml(const DiskSpec& disk);

// Every disk, without its xml.
std::vector<DiskInfo> disks_in_domain_xml(const std::string& domain_xml);
std::optional<DiskInfo> find_disk(const std::string& domain_xml, const std::string& target);
// One <disk> element on its own (as built for attach); nothing when it is not one.
std::optional<DiskInfo> parse_disk_element(const std::string& disk_xml);

const char* bus_name(Bus bus);

}  // namespace volcrypt
