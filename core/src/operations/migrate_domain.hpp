// volcrypt migrate: a running domain moves to another host's libvirt. The destination
// first (the secrets its volcrypt disks name, same uuids, values from the key source),
// then libvirt's own migration, then this host releases what only the departed domain
// used, never what another attachment here still uses (nor a mapping something still
// holds open after the domain left). An intent records the
// destination and what was defined there, so `recover` finishes or undoes a migration
// whose volcrypt was killed. dm-crypt mappings on the destination are that host's
// business: `volcrypt prepare` there, or the libvirt hook's `migrate` event.
#pragma once

#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"
#include "operations/migrate_intent.hpp"

namespace volcrypt {

// The whole migration.
MigrateResult migrate_domain(EngineContext& context, const MigrateRequest& request);

// The pieces, for agents that run libvirt's migration themselves:
// before it, the secrets on the destination (migrate-prepare);
MigrateResult prepare_destination(EngineContext& context, const MigrateRequest& request);
// after it, what the departed domain (request.domain_xml) left on this host (migrate-finish);
MigrateResult finish_departure(EngineContext& context, const MigrateRequest& request);
// after one that failed, the destination's volcrypt secrets of the domain that no domain
// there uses (migrate-abort).
MigrateResult abort_at_destination(EngineContext& context, const MigrateRequest& request);

}  // namespace volcrypt
