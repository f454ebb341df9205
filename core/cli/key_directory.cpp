#include "key_directory.hpp"

#include <volcrypt/error.hpp>

#include "key_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

std::function<VolumeKey(const Record&)> key_directory_source(const po::variables_map& vm,
                                                             const Settings& settings,
                                                             const CommandInput& input,
                                                             std::function<VolumeKey()> fallback) {
  const KeyDirectory directory = key_directory_from_options(vm, settings.key_dir);
  return [fallback = std::move(fallback), directory, &input](const Record& record) -> VolumeKey {
    if (fallback) return fallback();
    if (directory.path.empty()) {
      throw Error(ErrorKind::usage,
                  "no key for volume " + record.volume_id +
                      ": give --key-dir or --passphrase-dir (or key-dir in the config)");
    }
    return key_from_directory(directory, record.volume_id, input);
  };
}

}  // namespace volcrypt::cli
