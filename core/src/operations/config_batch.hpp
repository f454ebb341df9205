// Attaches that change only a domain's persistent definition (a shut-off domain, or
// live: false / config: true), made together: each volume is prepared on its own as an
// attach prepares it (checks, secret, plugin, intent), then the domain is defined once
// with every prepared disk and its record. A volume refused while preparing fails alone;
// a definition libvirt refuses fails every volume it carried, each undone. Killed between
// the steps, each volume's intent lets `recover` finish it (its disk and record are in
// the definition) or undo it (neither is): the define changes both at once.
// The domain's lock keeps other volcrypt calls out between reading the definition and
// defining it again; a change another libvirt client (virsh define, edit) makes meanwhile
// is lost, as with any read-modify-define.
#pragma once

#include <functional>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "domain/scope.hpp"
#include "operations/engine_context.hpp"

namespace volcrypt {

// Whether the request joins the domain's one define.
bool changes_definition_only(const AttachRequest& request, ResolvedScope scope);

// For the requests at indices, all of one domain held by the caller (its lock taken, its
// intents replayed): one outcome per index, in that order. key_for(index) is asked as
// that volume is prepared, and its key dropped once it is.
std::vector<BatchOutcome<AttachResult>> attach_to_definition(
    EngineContext& context, const std::string& domain, const std::string& domain_uuid,
    const std::vector<AttachRequest>& requests,
    const std::function<VolumeKey(size_t index)>& key_for, const std::vector<size_t>& indices);

}  // namespace volcrypt
