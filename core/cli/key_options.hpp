// KEY on the command line: a file (or "-" for standard input), never the key itself.
// --key-file holds raw key bytes, used as their lowercase hex as Nova and os-brick do;
// --passphrase-file holds the passphrase bytes as they are.
#pragma once

#include <boost/program_options.hpp>
#include <volcrypt/volume_key.hpp>

namespace volcrypt::cli {

void add_key_options(boost::program_options::options_description& options);
// Prints a key file warning (readable by others) to standard error.
void warn_about_key_file(const std::string& warning);
// Empty when no key option was given.
VolumeKey key_from_options(const boost::program_options::variables_map& vm);

}  // namespace volcrypt::cli
