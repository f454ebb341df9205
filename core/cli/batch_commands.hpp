// `volcrypt attach --batch` and `detach --batch`: many volumes in one process (see
// batch_requests.hpp for the JSON they read). Called by run_attach and run_detach with
// their parsed options.
#pragma once

#include <boost/program_options.hpp>

#include "command.hpp"

namespace volcrypt::cli {

CommandResult run_attach_batch(CommandContext& context, const po::variables_map& vm);
CommandResult run_detach_batch(CommandContext& context, const po::variables_map& vm);

}  // namespace volcrypt::cli
