// KEYS of the commands that act for every recorded volume of a domain (prepare, start,
// migrate): the key directory (key_options.hpp) asked record by record.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <volcrypt/settings.hpp>
#include <volcrypt/types.hpp>

#include "command_input.hpp"

namespace volcrypt::cli {

// The key of a record's volume, read from the folder when asked. `fallback`, when set,
// is asked instead (a single key file given for one target).
std::function<VolumeKey(const Record&)> key_directory_source(
    const boost::program_options::variables_map& vm, const Settings& settings,
    const CommandInput& input, std::function<VolumeKey()> fallback = {});

}  // namespace volcrypt::cli
