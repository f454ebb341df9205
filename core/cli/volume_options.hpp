// VOLUME on the command line: --source/--volume-id/--provider [--cipher] [--key-size],
// or --volume-json FILE in the shape Nova and Cinder hand to a host.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

void add_volume_options(boost::program_options::options_description& options);
// The source path comes back absolute and canonical; the volume id is checked first.
VolumeSpec volume_from_options(const boost::program_options::variables_map& vm);

// Checks the volume id and makes the source absolute and canonical: probed, recorded
// and handed to libvirt as one path (a relative or linked path could name another file
// by the time libvirt opens it).
VolumeSpec with_canonical_source(VolumeSpec spec);
// A key size in bits (a multiple of 8); Error(usage) naming `where` otherwise.
uint32_t parse_key_size(const std::string& text, const std::string& where);

// A real description is under 1 KiB; refusing by size avoids parsing a huge file.
inline constexpr size_t kMaxVolumeJsonBytes = 1024 * 1024;

// Nova's JSON in a file (see nova_volume.hpp), read as a regular file of at most
// kMaxVolumeJsonBytes.
VolumeSpec volume_from_json_file(const std::string& path);

}  // namespace volcrypt::cli
