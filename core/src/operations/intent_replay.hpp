// Finishing or undoing what a killed volcrypt left half done. Called with the domain's
// lock held, by every command that takes it, before it does its own work.
#pragma once

#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"
#include "operations/intent_journal.hpp"

namespace volcrypt {

// An interrupted attach is undone (unless it got as far as its record: then only its
// intent is cleared); an interrupted detach or extend is finished; an interrupted start is
// undone unless the domain runs; an interrupted migrate is finished or undone by where the
// domain runs now (migrate_domain.hpp). dry_run only says what it would do.
// Throws when an intent cannot be completed (e.g. its plugin is gone); the intent stays.
std::vector<RepairAction> replay_intents(EngineContext& context, const std::string& domain,
                                         const std::string& domain_uuid, bool dry_run = false);

}  // namespace volcrypt
