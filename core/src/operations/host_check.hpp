// `volcrypt check` and `volcrypt recover`: every inconsistency between secrets, disks,
// records, dm mappings and intents on this host, and the repair of what volcrypt made.
#pragma once

#include <optional>
#include <string>
#include <vector>
#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"

namespace volcrypt {

std::vector<Finding> check_host(EngineContext& context, const std::optional<std::string>& domain);

RecoverResult recover_host(EngineContext& context, const std::optional<std::string>& domain,
                           bool dry_run);

}  // namespace volcrypt
