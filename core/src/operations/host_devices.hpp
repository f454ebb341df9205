// volcrypt prepare / release: re-open or close the host devices (dm-crypt mappings) a
// domain's records describe, keeping the records. Only plugins with the host-device
// capability take part; native LUKS holds nothing on the host between boots but its
// libvirt secret, which prepare defines again when it is missing (not from a hook).
#pragma once

#include <vector>

#include "operations/engine_context.hpp"

namespace volcrypt {

std::vector<HostDeviceOutcome> prepare_host_devices(EngineContext& context,
                                                    const HostDeviceRequest& request);
std::vector<HostDeviceOutcome> release_host_devices(EngineContext& context,
                                                    const HostDeviceRequest& request);

}  // namespace volcrypt
