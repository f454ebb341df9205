// volcrypt start: what Nova does on a hard reboot, as one command. A persistent, shut-off
// domain gets back what its records need (the libvirt secrets its disks name, the dm
// mappings) from the key source, then starts. Whatever it made goes again when the
// domain does not start, and an intent lets `recover` undo it after a kill.
#pragma once

#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"
#include "operations/intent_journal.hpp"

namespace volcrypt {

StartResult start_domain(EngineContext& context, const StartRequest& request);

// Undoes what an interrupted or failed start made, as its intent names it: its secrets and
// host devices, each only when nothing else on the host uses it. The caller holds the
// domain's lock and has checked that the domain does not run.
void undo_start(EngineContext& context, const Intent& intent);

}  // namespace volcrypt
