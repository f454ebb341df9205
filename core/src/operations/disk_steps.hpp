// Steps that attach, detach and the replay of interrupted intents share.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "domain/scope.hpp"
#include "operations/engine_context.hpp"
#include "operations/secret_guard.hpp"

namespace volcrypt {

// Polls the running definition until no disk has this target. False on timeout.
bool wait_disk_removed(LibvirtSession& session, const std::string& domain,
                       const std::string& target, int32_t timeout_ms);

// Unplugs the disk (its own <disk> XML) from the definitions in scope and, for the running
// one, waits until libvirt really removed it. Throws Error(busy) on a timeout.
void unplug_disk(EngineContext& context, const std::string& domain, const std::string& target,
                 const std::string& disk_xml, ResolvedScope scope);

// The sides of the domain that exist now, within scope: a domain that stopped has no
// running definition left, one that was undefined no persistent one.
ResolvedScope existing_sides(LibvirtSession& session, const std::string& domain,
                             ResolvedScope scope);

}  // namespace volcrypt
