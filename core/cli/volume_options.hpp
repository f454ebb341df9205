// VOLUME on the command line: --source/--volume-id/--provider [--cipher] [--key-size],
// or --volume-json FILE in the shape Nova and Cinder hand to a host; for a network
// source also --monitor, --auth-user and --auth-secret (defaults: the config's rbd_*).
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <volcrypt/settings.hpp>
#include <volcrypt/types.hpp>

#include "command_input.hpp"
#include "nova_volume.hpp"

namespace volcrypt::cli {

void add_volume_options(boost::program_options::options_description& options);
// --monitor, --auth-user, --auth-secret (add_volume_options adds them too).
void add_network_options(boost::program_options::options_description& options);
// The source path comes back absolute and canonical, or a network source validated
// (its name in source_path); the volume id is checked first. settings: the config's
// defaults for network sources, below the command line's options.
// input: where "--volume-json -" reads and notes go.
VolumeSpec volume_from_options(const boost::program_options::variables_map& vm,
                               const Settings& settings, const CommandInput& input);

// The command line's --monitor, --auth-user and --auth-secret over the config's rbd_*.
NetworkDefaults network_defaults(const boost::program_options::variables_map& vm,
                                 const Settings& settings);

// Checks the volume id and makes the source absolute and canonical: probed, recorded
// and handed to libvirt as one path (a relative or linked path could name another file
// by the time libvirt opens it). A network source (spec.network, or a source_path
// written as one) is validated instead and source_path becomes its name.
VolumeSpec with_canonical_source(VolumeSpec spec);
// A key size in bits (a multiple of 8); Error(usage) naming `where` otherwise.
uint32_t parse_key_size(const std::string& text, const std::string& where);

// A real description is under 1 KiB; refusing by size avoids parsing a huge file.
inline constexpr size_t kMaxVolumeJsonBytes = 1024 * 1024;

// Nova's JSON in a file (see nova_volume.hpp), read as a regular file of at most
// kMaxVolumeJsonBytes, or from the input for "-".
// Notes on what was chosen (the first of several iSCSI paths) go to the input's warnings.
VolumeSpec volume_from_json_file(const std::string& path, const NetworkDefaults& defaults = {},
                                 const CommandInput& input = CommandInput());

}  // namespace volcrypt::cli
