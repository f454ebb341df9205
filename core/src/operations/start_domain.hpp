// volcrypt start: what Nova does on a hard reboot, as one command. A persistent, shut-off
// domain gets back what its records need (the libvirt secrets its disks name, the dm
// mappings) from the key source, then starts. Whatever it made goes again when the
// domain does not start, and an intent lets `recover` undo it after a kill.
#pragma once

#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"

namespace volcrypt {

StartResult start_domain(EngineContext& context, const StartRequest& request);

}  // namespace volcrypt
