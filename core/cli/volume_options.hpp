// VOLUME on the command line: --source/--volume-id/--provider [--cipher] [--key-size],
// or --volume-json FILE in the shape Nova and Cinder hand to a host.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

void add_volume_options(boost::program_options::options_description& options);
VolumeSpec volume_from_options(const boost::program_options::variables_map& vm);
// {"connection_info": {"serial", "data": {"device_path", "volume_id"}},
//  "encryption": {"provider", "cipher", "key_size", "control_location"}}
VolumeSpec volume_from_json_file(const std::string& path);

}  // namespace volcrypt::cli
