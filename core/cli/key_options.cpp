#include "key_options.hpp"

#include <filesystem>
#include <iostream>
#include <string>
#include <volcrypt/error.hpp>

namespace po = boost::program_options;

namespace volcrypt::cli {

void add_key_options(po::options_description& options) {
  options.add_options()("key-file", po::value<std::string>()->value_name("FILE|-"),
                        "raw key bytes; the passphrase is their lowercase hex (as Nova)")(
      "passphrase-file", po::value<std::string>()->value_name("FILE|-"),
      "the passphrase bytes as they are");
}

VolumeKey key_from_options(const po::variables_map& vm, CommandInput& input) {
  const bool raw = vm.count("key-file") > 0;
  const bool passphrase = vm.count("passphrase-file") > 0;
  if (raw && passphrase) {
    throw Error(ErrorKind::usage, "give either --key-file or --passphrase-file, not both");
  }
  VolumeKey caller_key = input.take_caller_key();
  if (!caller_key.empty() && (raw || passphrase)) {
    throw Error(ErrorKind::usage,
                "give the key either as the call's key or as --key-file or "
                "--passphrase-file, not both");
  }
  if (raw) return VolumeKey::from_raw_key(input.read_key_file(vm["key-file"].as<std::string>()));
  if (passphrase) {
    return VolumeKey::from_passphrase(input.read_key_file(vm["passphrase-file"].as<std::string>()));
  }
  return caller_key;
}

void add_key_dir_options(po::options_description& options) {
  options.add_options()("key-dir", po::value<std::string>()->value_name("DIR"),
                        "raw keys, one file per volume id (default: key-dir in the config)")(
      "passphrase-dir", po::value<std::string>()->value_name("DIR"),
      "passphrases, one file per volume id");
}

KeyDirectory key_directory_from_options(const po::variables_map& vm,
                                        const std::string& configured) {
  if (vm.count("key-dir") && vm.count("passphrase-dir")) {
    throw Error(ErrorKind::usage, "give either --key-dir or --passphrase-dir, not both");
  }
  if (vm.count("passphrase-dir")) return {vm["passphrase-dir"].as<std::string>(), false};
  if (vm.count("key-dir")) return {vm["key-dir"].as<std::string>(), true};
  return {configured, true};
}

namespace {

std::string key_file_in(const KeyDirectory& directory, const std::string& volume_id) {
  if (volume_id.empty() || volume_id.find('/') != std::string::npos || volume_id[0] == '.') {
    throw Error(ErrorKind::usage, "volume id '" + volume_id + "' cannot name a key file");
  }
  return (std::filesystem::path(directory.path) / volume_id).string();
}

}  // namespace

void check_key_in_directory(const KeyDirectory& directory, const std::string& volume_id) {
  check_key_file(key_file_in(directory, volume_id));
}

VolumeKey key_from_directory(const KeyDirectory& directory, const std::string& volume_id,
                             const CommandInput& input) {
  SecureBytes key = input.read_key_file(key_file_in(directory, volume_id));
  return directory.raw ? VolumeKey::from_raw_key(std::move(key))
                       : VolumeKey::from_passphrase(std::move(key));
}

}  // namespace volcrypt::cli
