// Detach: read the record (or infer from the disk XML when there is none), load that
// plugin by id, unplug the disk and wait until it is gone, release, drop the record.
#pragma once

#include "operations/engine_context.hpp"

namespace volcrypt {

DetachResult detach_volume(EngineContext& context, const DetachRequest& request);

}  // namespace volcrypt
