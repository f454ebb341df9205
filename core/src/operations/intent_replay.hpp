// Finishing or undoing what a killed volcrypt left half done in one domain. Called with
// the domain's lock held (held_domain.hpp), before the command's own work.
#pragma once

#include <vector>
#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"
#include "operations/intent.hpp"

namespace volcrypt {

// Each of the domain's intents is replayed by its kind (intent_kinds.hpp), under the locks
// of the volumes it concerns. A file that cannot be read, or whose content disagrees with
// its name, is removed and reported, never obeyed. dry_run only says what it would do.
// Throws when an intent cannot be completed (e.g. its plugin is gone); the intent stays.
std::vector<RepairAction> replay_intents(EngineContext& context, const IntentDomain& domain,
                                         bool dry_run = false);

}  // namespace volcrypt
