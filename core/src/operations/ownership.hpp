// The one way volcrypt removes what it made on the host: a plugin's release of a
// record's state (a dm mapping, a volume secret). What a plugin holds on the host (a
// mapping) stays while any other record of the volume under the same plugin, in any
// domain and either definition, holds it: a shared volume's mapping is each of its
// attachments'. Secrets go only as the operation's SecretGuard allows (secret_guard.hpp).
// Detach, every undo and replay, start, migrate and recover all release through here.
#pragma once

#include "operations/engine_context.hpp"
#include "operations/host_usage.hpp"
#include "operations/secret_guard.hpp"

namespace volcrypt {

// owner: the volume, plugin and state being released; exclusion: the record (and disk)
// being removed, which does not count as a holder. What is kept, and why, is in
// guard.kept() afterwards.
void release_owned(EngineContext& context, const LoadedPlugin& plugin, SecretGuard& guard,
                   const Record& owner, const UseExclusion& exclusion = {});

// The other records (outside the exclusion) of this volume under this plugin, described
// for a message; empty when none holds what the plugin made for it.
std::vector<std::string> host_device_holders(LibvirtSession& session, const Record& owner,
                                             const UseExclusion& exclusion);

}  // namespace volcrypt
