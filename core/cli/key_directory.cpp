#include "key_directory.hpp"

#include <filesystem>
#include <volcrypt/error.hpp>

#include "key_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

// A key directory holds one file per volume id.
std::string key_path(const std::string& dir, const std::string& volume_id) {
  if (volume_id.empty() || volume_id.find('/') != std::string::npos || volume_id[0] == '.') {
    throw Error(ErrorKind::usage, "volume id '" + volume_id + "' cannot name a key file");
  }
  return (std::filesystem::path(dir) / volume_id).string();
}

}  // namespace

void add_key_directory_options(po::options_description& options) {
  options.add_options()("key-dir", po::value<std::string>()->value_name("DIR"),
                        "raw keys, one file per volume id (default: key-dir in the config)")(
      "passphrase-dir", po::value<std::string>()->value_name("DIR"),
      "passphrases, one file per volume id");
}

std::function<VolumeKey(const Record&)> key_directory_source(const po::variables_map& vm,
                                                             const Settings& settings,
                                                             std::function<VolumeKey()> fallback) {
  if (vm.count("key-dir") && vm.count("passphrase-dir")) {
    throw Error(ErrorKind::usage, "give either --key-dir or --passphrase-dir, not both");
  }
  std::string key_dir = settings.key_dir;
  bool raw_dir = true;
  if (vm.count("key-dir")) key_dir = vm["key-dir"].as<std::string>();
  if (vm.count("passphrase-dir")) {
    key_dir = vm["passphrase-dir"].as<std::string>();
    raw_dir = false;
  }
  return [fallback = std::move(fallback), key_dir, raw_dir](const Record& record) -> VolumeKey {
    if (fallback) return fallback();
    if (key_dir.empty()) {
      throw Error(ErrorKind::usage,
                  "no key for volume " + record.volume_id +
                      ": give --key-dir or --passphrase-dir (or key-dir in the config)");
    }
    SecureBytes key = read_key_source(key_path(key_dir, record.volume_id), warn_about_key_file);
    return raw_dir ? VolumeKey::from_raw_key(std::move(key))
                   : VolumeKey::from_passphrase(std::move(key));
  };
}

}  // namespace volcrypt::cli
