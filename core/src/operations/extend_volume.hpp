// Extend: the volume under a disk grew (a file truncated larger, a block device grown);
// the guest sees its new usable size. Under the domain's lock and with an intent, like
// attach and detach, so that a kill between growing a plugin's host device and growing
// the guest's disk is finished by the next command on the domain or by `recover`.
#pragma once

#include "operations/engine_context.hpp"

namespace volcrypt {

ExtendResult extend_volume(EngineContext& context, const ExtendRequest& request);

}  // namespace volcrypt
