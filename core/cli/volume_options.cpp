#include "volume_options.hpp"

#include <charconv>
#include <iostream>
#include <vector>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/network_source.hpp>
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
  if (!spec.network) spec.network = parse_network_source(spec.source_path);
  if (spec.network) {
    validate_network_source(*spec.network);
    spec.source_path = network_source_name(*spec.network);
    return spec;
  }
  spec.source_path = canonical_source_path(spec.source_path);
  return spec;
}

void add_volume_options(po::options_description& options) {
  options.add_options()("source", po::value<std::string>()->value_name("PATH|URL"),
                        "the volume: a file, a host block device, rbd:POOL/IMAGE, "
                        "iscsi://HOST[:PORT]/IQN/LUN or nbd://HOST[:PORT]/EXPORT")(
      "volume-id", po::value<std::string>()->value_name("ID"),
      "the cloud's volume id (the libvirt secret's usage id)")(
      "provider", po::value<std::string>()->value_name("P"),
      "encryption provider: luks, or a Nova/os-brick class name")(
      "cipher", po::value<std::string>()->value_name("C"),
      "cipher for a blank volume, e.g. aes-xts-plain64")(
      "key-size", po::value<std::string>()->value_name("BITS"), "key size for a blank volume")(
      "volume-json", po::value<std::string>()->value_name("FILE"),
      "the volume as Nova/Cinder describe it (instead of the options above)");
  add_network_options(options);
}

void add_network_options(po::options_description& options) {
  options.add_options()(
      "monitor", po::value<std::vector<std::string>>()->composing()->value_name("HOST[:PORT]"),
      "a Ceph monitor of an rbd source (repeatable; default: the config's rbd_monitors, "
      "else ceph.conf)")("auth-user", po::value<std::string>()->value_name("NAME"),
                         "the Ceph user (rbd, without 'client.'; default: the config's "
                         "rbd_user) or the CHAP user (iscsi)")(
      "auth-secret", po::value<std::string>()->value_name("UUID"),
      "the deployer's libvirt secret for that user, usage ceph or iscsi (rbd default: the "
      "config's rbd_secret_uuid); volcrypt never changes it");
}

VolumeSpec volume_from_json_file(const std::string& path, const NetworkDefaults& defaults,
                                 const CommandInput& input) {
  const std::string where = path == "-" ? std::string("the volume description on standard input")
                                        : "volume description '" + printable_text(path) + "'";
  const std::string text =
      input.read_file_or_input(path, "volume description", kMaxVolumeJsonBytes);
  std::vector<std::string> notes;
  VolumeSpec spec = volume_from_nova_json(parse_strict_json(text, where), where, defaults, &notes);
  for (const auto& note : notes) input.warn("note: " + where + ": " + note);
  return spec;
}

NetworkDefaults network_defaults(const po::variables_map& vm, const Settings& settings) {
  NetworkDefaults defaults;
  defaults.rbd_monitors = settings.rbd_monitors;
  if (vm.count("monitor")) {
    defaults.rbd_monitors.clear();
    for (const auto& text : vm["monitor"].as<std::vector<std::string>>()) {
      defaults.rbd_monitors.push_back(parse_network_host(text, "--monitor"));
    }
  }
  const auto option = [&](const char* name) {
    return vm.count(name) ? vm[name].as<std::string>() : std::string();
  };
  defaults.rbd_user = vm.count("auth-user") ? option("auth-user") : settings.rbd_user;
  defaults.rbd_secret_uuid =
      vm.count("auth-secret") ? option("auth-secret") : settings.rbd_secret_uuid;
  defaults.iscsi_user = option("auth-user");
  defaults.iscsi_secret_uuid = option("auth-secret");
  return defaults;
}

VolumeSpec volume_from_options(const po::variables_map& vm, const Settings& settings,
                               const CommandInput& input) {
  const bool from_json = vm.count("volume-json") > 0;
  for (const char* name : {"source", "volume-id", "provider", "cipher", "key-size"}) {
    if (from_json && vm.count(name)) {
      throw Error(ErrorKind::usage,
                  std::string("--") + name + " cannot be combined with --volume-json");
    }
  }
  const NetworkDefaults defaults = network_defaults(vm, settings);
  if (from_json) {
    return with_canonical_source(
        volume_from_json_file(vm["volume-json"].as<std::string>(), defaults, input));
  }
  for (const char* name : {"source", "volume-id", "provider"}) {
    if (!vm.count(name)) {
      throw Error(ErrorKind::usage, std::string("missing --") + name +
                                        " (or describe the volume with --volume-json FILE)");
    }
  }
  VolumeSpec spec;
  spec.source_path = vm["source"].as<std::string>();
  spec.volume_id = vm["volume-id"].as<std::string>();
  validate_volume_id(spec.volume_id);
  if (auto network = parse_network_source(spec.source_path)) {
    if (network->protocol != NetworkProtocol::rbd && vm.count("monitor")) {
      throw Error(ErrorKind::usage, "--monitor is for an rbd source");
    }
    spec.network = with_network_defaults(*network, defaults);
  } else {
    for (const char* name : {"monitor", "auth-user", "auth-secret"}) {
      if (vm.count(name)) {
        throw Error(
            ErrorKind::usage,
            std::string("--") + name + " is for a network --source (rbd:, iscsi://), not a path");
      }
    }
  }
  spec.provider = vm["provider"].as<std::string>();
  if (vm.count("cipher")) spec.cipher = vm["cipher"].as<std::string>();
  if (vm.count("key-size")) {
    spec.key_size_bits = parse_key_size(vm["key-size"].as<std::string>(), "--key-size");
  }
  return with_canonical_source(std::move(spec));
}

}  // namespace volcrypt::cli
