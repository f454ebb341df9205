// Facts about this host that plugins rank on.
#pragma once

#include <cstdint>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt {

class LibvirtSession;

struct HostFacts {
  std::string hypervisor_type;
  uint64_t hypervisor_version = 0;
  uint64_t libvirt_version = 0;
  bool has_device_mapper = false;
  bool has_dm_crypt = false;
  ThroughputFigures throughput;  // from host-bench's cache, when it matches this host
};

HostFacts gather_host_facts(LibvirtSession& session);

// The kernel side alone (no libvirt): device-mapper in the running kernel and the
// crypt target.
void detect_device_mapper(HostFacts& facts);

}  // namespace volcrypt
