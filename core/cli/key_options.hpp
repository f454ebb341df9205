// KEY on the command line: a file (or "-" for standard input), never the key itself.
// --key-file holds raw key bytes, used as their lowercase hex as Nova and os-brick do;
// --passphrase-file holds the passphrase bytes as they are.
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <volcrypt/types.hpp>
#include <volcrypt/volume_key.hpp>

namespace volcrypt::cli {

void add_key_options(boost::program_options::options_description& options);
// Prints a key file warning (readable by others) to standard error.
void warn_about_key_file(const std::string& warning);
// Empty when no key option was given.
VolumeKey key_from_options(const boost::program_options::variables_map& vm);

// KEYS for commands that key several volumes (prepare, migrate): --key-dir DIR (raw
// keys) or --passphrase-dir DIR, one file per volume id; the config's key-dir otherwise.
void add_key_dir_options(boost::program_options::options_description& options);
// The key of a record's volume, read when asked. With single_key, the --key-file or
// --passphrase-file given is every volume's key. vm must outlive what is returned.
std::function<VolumeKey(const Record&)> key_source(const boost::program_options::variables_map& vm,
                                                   const std::string& config_key_dir,
                                                   bool single_key);

}  // namespace volcrypt::cli
