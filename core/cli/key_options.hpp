// KEY on the command line: a file (or "-" for standard input), never the key itself.
// --key-file holds raw key bytes, used as their lowercase hex as Nova and os-brick do;
// --passphrase-file holds the passphrase bytes as they are.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <volcrypt/volume_key.hpp>

#include "command_input.hpp"

namespace volcrypt::cli {

void add_key_options(boost::program_options::options_description& options);
// The key of --key-file or --passphrase-file, or the one the library's caller handed over
// (Error(usage) when both are given). Empty when there is none.
VolumeKey key_from_options(const boost::program_options::variables_map& vm, CommandInput& input);

// KEYS for many volumes (prepare, batches): a folder holding one file per volume id,
// of raw keys (--key-dir, or key-dir in the config) or of passphrases (--passphrase-dir).
struct KeyDirectory {
  std::string path;  // empty: none given nor configured
  bool raw = true;
};
void add_key_dir_options(boost::program_options::options_description& options);
KeyDirectory key_directory_from_options(const boost::program_options::variables_map& vm,
                                        const std::string& configured);
// The key in the folder's file named by the volume id. Throws Error(usage) for an id
// that cannot name a file there, and what reading the file throws.
VolumeKey key_from_directory(const KeyDirectory& directory, const std::string& volume_id,
                             const CommandInput& input);
// Throws what key_from_directory would for a key file it could not read, without reading
// the key (a batch checks every key file first and reads each as its request runs).
void check_key_in_directory(const KeyDirectory& directory, const std::string& volume_id);

}  // namespace volcrypt::cli
