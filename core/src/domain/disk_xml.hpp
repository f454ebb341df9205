// libvirt <disk> XML: built for attach, read back for detach and inference.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <optional>
#include <string>
#include <vector>
#include <volcrypt/network_source.hpp>
#include <volcrypt/types.hpp>

namespace volcrypt {

struct NativeEncryption {
  std::string format;  // "luks"
  std::string secret_uuid;
  // A disk may name a volume secret by its usage instead (<secret usage='VOLUME'/>);
  // volcrypt's own disks always name the uuid.
  std::string secret_usage = {};
  // <encryption engine=...>: "qemu" or "librbd"; empty: not written (QEMU's).
  std::string engine = {};
};

struct DiskSpec {
  volcrypt_source_kind source_kind = VOLCRYPT_SOURCE_FILE;
  std::string source_path;
  std::optional<NetworkSource> network;  // <disk type='network'>: source_path is its name
  std::string target;
  Bus bus = Bus::scsi;
  std::optional<NativeEncryption> encryption;
  std::string serial;      // the volume id, as Nova sets it; may be empty
  bool shareable = false;  // a multi-attach volume: <shareable/>
  uint32_t iothread = 0;   // <driver iothread=N>; 0: none
};

// <disk type='file|block' device='disk'><driver name='qemu' type='raw' [iothread=N]/>
// <source file|dev=...>[<encryption>...]</source><target dev=... bus=.../></disk>
std::string build_disk_xml(const DiskSpec& disk);

struct DiskInfo {
  std::string target;
  volcrypt_source_kind source_kind = VOLCRYPT_SOURCE_FILE;  // <source dev>: block
  std::string source_path;
  std::optional<NetworkSource> network;  // <disk type='network'>: source_path is its name
  std::optional<NativeEncryption> encryption;
  std::string serial;
  bool shareable = false;
  uint32_t iothread = 0;  // <driver iothread=N>; 0: none
  // This <disk> element alone, usable for detach: from find_disk and parse_disk_element
  // only (printing every disk of a domain of hundreds costs milliseconds).
  std::string xml;
};

// Every disk, without its xml.
std::vector<DiskInfo> disks_in_domain_xml(const std::string& domain_xml);
std::optional<DiskInfo> find_disk(const std::string& domain_xml, const std::string& target);
// One <disk> element on its own (as built for attach); nothing when it is not one.
std::optional<DiskInfo> parse_disk_element(const std::string& disk_xml);

const char* bus_name(Bus bus);

}  // namespace volcrypt
