// A plugin runs as root inside the host: refuse files and folders others can change.
// The rule is the SDK contract's, the one the conformance kit checks too.
#pragma once

#include <volcrypt/plugin_contract.hpp>

namespace volcrypt {

// Why path may not be trusted (it, its folder or a link's target and that target's
// folder owned by someone other than root or the running user, or writable by group or
// others), or nothing when it is fine.
using contract::untrusted_reason;

}  // namespace volcrypt
