#include "volume_options.hpp"

#include <charconv>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/strict_json.hpp>
#include <volcrypt/volume_validation.hpp>

#include "nova_volume.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

uint32_t parse_key_size(const std::string& text, const std::string& where) {
  uint32_t bits = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), bits);
  if (error != std::errc() || end != text.data() + text.size() || bits == 0 || bits % 8 != 0) {
    throw Error(ErrorKind::usage,
                where + ": key size '" + printable_text(text) + "' is not a number of bits");
  }
  return bits;
}

VolumeSpec with_canonical_source(VolumeSpec spec) {
  validate_volume_id(spec.volume_id);
  spec.source_path = canonical_source_path(spec.source_path);
  return spec;
}

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
  const std::string where = "volume description '" + printable_text(path) + "'";
  const std::string text = read_bounded_file(path, "volume description", kMaxVolumeJsonBytes);
  return volume_from_nova_json(parse_strict_json(text, where), where);
}

VolumeSpec volume_from_options(const po::variables_map& vm) {
  const bool from_json = vm.count("volume-json") > 0;
  for (const char* name : {"source", "volume-id", "provider", "cipher", "key-size"}) {
    if (from_json && vm.count(name)) {
      throw Error(ErrorKind::usage,
                  std::string("--") + name + " cannot be combined with --volume-json");
    }
  }
  if (from_json)
    return with_canonical_source(volume_from_json_file(vm["volume-json"].as<std::string>()));
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
  return with_canonical_source(std::move(spec));
}

}  // namespace volcrypt::cli
