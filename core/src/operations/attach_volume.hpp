// Attach: rank, let the chosen plugin prepare, plug the disk in, write the record;
// a failure at any step undoes the steps before it.
#pragma once

#include "domain/scope.hpp"
#include "operations/engine_context.hpp"
#include "operations/host_usage.hpp"

namespace volcrypt {

// The checks made before anything else: the target's name and the volume description.
// Throws Error(usage).
void validate_attach_request(const AttachRequest& request);

// The target is free on one side: no disk in that definition and no record for it.
// Throws Error(busy).
void require_target_free_in(const std::string& domain, const std::string& target,
                            const std::string& definition, bool recorded, bool inactive);

// A volume is attached once on this host unless every attachment of it is shareable.
// Checked before anything is created, under the volume's lock. Throws Error(busy).
void require_not_attached_elsewhere(const HostUsage& usage, const AttachRequest& request);

AttachResult attach_volume(EngineContext& context, const AttachRequest& request,
                           const VolumeKey& key);
// The same, for a caller (a batch) that validated the request, holds the domain's lock
// and replayed its intents; scope is resolved.
AttachResult attach_volume_locked(EngineContext& context, const AttachRequest& request,
                                  const VolumeKey& key, const std::string& domain_uuid,
                                  ResolvedScope scope);

}  // namespace volcrypt
