// KEYS of the commands that act for every recorded volume of a domain (prepare, start):
// a folder holding one key file per volume id, --key-dir (raw keys, as Nova's) or
// --passphrase-dir, by default the config's key-dir.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <string>
#include <volcrypt/settings.hpp>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

void add_key_directory_options(boost::program_options::options_description& options);

// The key of a record's volume, read from the folder when asked. `fallback`, when set,
// is asked instead (a single key file given for one target).
std::function<VolumeKey(const Record&)> key_directory_source(
    const boost::program_options::variables_map& vm, const Settings& settings,
    std::function<VolumeKey()> fallback = {});

}  // namespace volcrypt::cli
