#include "key_options.hpp"

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

}  // namespace volcrypt::cli
