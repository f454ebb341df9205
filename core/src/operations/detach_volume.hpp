// Detach: read the record (or infer from the disk XML when there is none), load that
// plugin by id, unplug the disk and wait until it is gone, release, drop the record.
#pragma once

#include "domain/scope.hpp"
#include "operations/engine_context.hpp"

namespace volcrypt {

DetachResult detach_volume(EngineContext& context, const DetachRequest& request);
// The same, for a caller (a batch) that holds the domain's lock and replayed its
// intents; scope is resolved.
DetachResult detach_volume_locked(EngineContext& context, const DetachRequest& request,
                                  const std::string& domain_uuid, ResolvedScope scope);

}  // namespace volcrypt
