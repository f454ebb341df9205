// What the running kernel offers volcrypt (device-mapper, dm-crypt), read without libvirt.
#pragma once

#include "model/host_facts.hpp"

namespace volcrypt {

// The kernel side alone (no libvirt): device-mapper in the running kernel and the
// crypt target.
void detect_device_mapper(HostFacts& facts);

}  // namespace volcrypt
