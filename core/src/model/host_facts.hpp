// Facts about this host that plugins rank on: shared by the plugin host (which hands
// them to plugins) and the domain layer (which gathers them from libvirt).
#pragma once

#include <cstdint>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt {

struct HostFacts {
  std::string hypervisor_type;
  uint64_t hypervisor_version = 0;
  uint64_t libvirt_version = 0;
  bool has_device_mapper = false;
  bool has_dm_crypt = false;
  ThroughputFigures throughput;  // from host-bench's cache, when it matches this host
};

}  // namespace volcrypt
