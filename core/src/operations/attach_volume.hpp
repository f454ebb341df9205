// Attach: rank, let the chosen plugin prepare, plug the disk in, write the record;
// a failure at any step undoes the steps before it.
#pragma once

#include "operations/engine_context.hpp"

namespace volcrypt {

AttachResult attach_volume(EngineContext& context, const AttachRequest& request,
                           const VolumeKey& key);

}  // namespace volcrypt
