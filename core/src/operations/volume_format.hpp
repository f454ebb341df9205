// The format_volume service (ABI 1.4) for the volume an attach prepares: a blank RBD
// image is formatted LUKS1 or LUKS2 by librbd in this process, reached with the same
// credentials as its header was read with. No other volume is formatted by the host.
#pragma once

#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"
#include "plugin_host/host_services.hpp"

namespace volcrypt {

// Throws Error(no_plugin) (the service's NOT_SUPPORTED) for a volume that is not an RBD
// image, Error(usage) for a format, cipher or key size librbd cannot write (before
// anything is opened), and what format_blank_rbd_image throws.
HostServices::VolumeFormat volume_format_for(EngineContext& context, const VolumeSpec& volume);

}  // namespace volcrypt
