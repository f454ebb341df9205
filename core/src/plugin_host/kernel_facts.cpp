// What the running kernel offers volcrypt (device-mapper, dm-crypt): facts that need
// no libvirt, so a plugin helper process can read them too. The detection is the SDK's
// (volcrypt/host_kernel.hpp), so that the conformance kit reads the kernel as we do.
#include "plugin_host/kernel_facts.hpp"

#include <volcrypt/host_kernel.hpp>

namespace volcrypt {

void detect_device_mapper(HostFacts& facts) {
  facts.has_device_mapper = kernel::has_device_mapper();
  facts.has_dm_crypt = kernel::has_dm_crypt();
}

}  // namespace volcrypt
