#include "volume_options.hpp"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <charconv>
#include <filesystem>
#include <volcrypt/error.hpp>

namespace po = boost::program_options;
namespace pt = boost::property_tree;

namespace volcrypt::cli {
namespace {

uint32_t parse_key_size(const std::string& text, const std::string& where) {
  uint32_t bits = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bits);
  if (error != std::errc() || end != text.data() + text.size() || bits == 0 || bits % 8 != 0) {
    throw Error(ErrorKind::usage, where + ": key size '" + text + "' is not a number of bits");
  }
  return bits;
}

}  // namespace

void add_volume_options(po::options_description& options) {
  options.add_options()("source", po::value<std::string>()->value_name("PATH"),
                        "the volume: a file or a host block device")(
      "volume-id", po::value<std::string>()->value_name("ID"),
      "the cloud's volume id (the libvirt secret's usage id)")(
      "provider", po::value<std::string>()->value_name("P"),
      "encryption provider: luks, or a Nova/os-brick class name")(
      "cipher", po::value<std::string>()->value_name("C"),
      "cipher for a blank volume, e.g. aes-xts-plain64")(
      "key-size", po::value<std::string>()->value_name("BITS"), "key size for a blank volume")(
      "volume-json", po::value<std::string>()->value_name("FILE"),
      "the volume as Nova/Cinder describe it (instead of the options above)");
}

VolumeSpec volume_from_json_file(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw Error(ErrorKind::not_found, "volume description '" + path + "' does not exist");
  }
  pt::ptree tree;
  try {
    pt::read_json(path, tree);
  } catch (const pt::json_parser_error& e) {
    throw Error(ErrorKind::usage, "volume description '" + path + "' is not valid JSON: " +
                                      e.message() + " (line " + std::to_string(e.line()) + ")");
  }
  VolumeSpec spec;
  spec.source_path = tree.get("connection_info.data.device_path", "");
  spec.volume_id = tree.get("connection_info.data.volume_id", "");
  if (spec.volume_id.empty()) spec.volume_id = tree.get("connection_info.serial", "");
  spec.provider = tree.get("encryption.provider", "");
  spec.cipher = tree.get("encryption.cipher", "");
  if (spec.cipher == "null") spec.cipher.clear();
  std::string key_size = tree.get("encryption.key_size", "");
  if (!key_size.empty() && key_size != "null") spec.key_size_bits = parse_key_size(key_size, path);
  std::string control_location = tree.get("encryption.control_location", "front-end");
  // No provider means Nova did not ask for encryption; back-end means the storage
  // or the guest decrypts: either way the host attaches the volume as it is.
  spec.encrypted =
      !spec.provider.empty() && spec.provider != "null" && control_location == "front-end";
  if (spec.source_path.empty()) {
    throw Error(ErrorKind::usage,
                "volume description '" + path + "' has no connection_info.data.device_path");
  }
  if (spec.volume_id.empty()) {
    throw Error(ErrorKind::usage, "volume description '" + path +
                                      "' has neither connection_info.data.volume_id nor serial");
  }
  return spec;
}

VolumeSpec volume_from_options(const po::variables_map& vm) {
  const bool from_json = vm.count("volume-json") > 0;
  for (const char* name : {"source", "volume-id", "provider", "cipher", "key-size"}) {
    if (from_json && vm.count(name)) {
      throw Error(ErrorKind::usage,
                  std::string("--") + name + " cannot be combined with --volume-json");
    }
  }
  if (from_json) return volume_from_json_file(vm["volume-json"].as<std::string>());
  for (const char* name : {"source", "volume-id", "provider"}) {
    if (!vm.count(name)) {
      throw Error(ErrorKind::usage, std::string("missing --") + name +
                                        " (or describe the volume with --volume-json FILE)");
    }
  }
  VolumeSpec spec;
  spec.source_path = vm["source"].as<std::string>();
  spec.volume_id = vm["volume-id"].as<std::string>();
  spec.provider = vm["provider"].as<std::string>();
  if (vm.count("cipher")) spec.cipher = vm["cipher"].as<std::string>();
  if (vm.count("key-size")) {
    spec.key_size_bits = parse_key_size(vm["key-size"].as<std::string>(), "--key-size");
  }
  return spec;
}

}  // namespace volcrypt::cli
