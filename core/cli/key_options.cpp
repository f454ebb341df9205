#include "key_options.hpp"

#include <filesystem>
#include <iostream>
#include <string>
#include <volcrypt/error.hpp>

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

void add_key_options(po::options_description& options) {
  options.add_options()("key-file", po::value<std::string>()->value_name("FILE|-"),
                        "raw key bytes; the passphrase is their lowercase hex (as Nova)")(
      "passphrase-file", po::value<std::string>()->value_name("FILE|-"),
      "the passphrase bytes as they are");
}

void warn_about_key_file(const std::string& warning) {
  std::cerr << "volcrypt: warning: " << warning << "\n";
}

VolumeKey key_from_options(const po::variables_map& vm) {
  const bool raw = vm.count("key-file") > 0;
  const bool passphrase = vm.count("passphrase-file") > 0;
  if (raw && passphrase) {
    throw Error(ErrorKind::usage, "give either --key-file or --passphrase-file, not both");
  }
  if (raw) {
    return VolumeKey::from_raw_key(
        read_key_source(vm["key-file"].as<std::string>(), warn_about_key_file));
  }
  if (passphrase) {
    return VolumeKey::from_passphrase(
        read_key_source(vm["passphrase-file"].as<std::string>(), warn_about_key_file));
  }
  return {};
}

void add_key_dir_options(po::options_description& options) {
  options.add_options()("key-dir", po::value<std::string>()->value_name("DIR"),
                        "raw keys, one file per volume id (default: key-dir in the config)")(
      "passphrase-dir", po::value<std::string>()->value_name("DIR"),
      "passphrases, one file per volume id");
}

std::function<VolumeKey(const Record&)> key_source(const po::variables_map& vm,
                                                   const std::string& config_key_dir,
                                                   bool single_key) {
  std::string key_dir = config_key_dir;
  bool raw_dir = true;
  if (vm.count("key-dir")) key_dir = vm["key-dir"].as<std::string>();
  if (vm.count("passphrase-dir")) {
    key_dir = vm["passphrase-dir"].as<std::string>();
    raw_dir = false;
  }
  return [&vm, single_key, key_dir, raw_dir](const Record& record) -> VolumeKey {
    if (single_key) return key_from_options(vm);
    if (key_dir.empty()) {
      throw Error(ErrorKind::usage, "no key for volume " + record.volume_id +
                                        ": give --key-dir, --passphrase-dir or a key option");
    }
    SecureBytes key = read_key_source(key_path(key_dir, record.volume_id), warn_about_key_file);
    return raw_dir ? VolumeKey::from_raw_key(std::move(key))
                   : VolumeKey::from_passphrase(std::move(key));
  };
}

}  // namespace volcrypt::cli
