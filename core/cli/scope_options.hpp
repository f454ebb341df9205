// --live / --config as `virsh attach-device` has them; neither means --current.
#pragma once

#include <boost/program_options.hpp>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

void add_scope_options(boost::program_options::options_description& options);
Scope scope_from_options(const boost::program_options::variables_map& vm);
// Both: --live --config; neither: the current definition.
Scope scope_from(bool live, bool config);

}  // namespace volcrypt::cli
