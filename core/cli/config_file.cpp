#include "config_file.hpp"

#include <boost/program_options.hpp>
#include <charconv>
#include <filesystem>
#include <sstream>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>

namespace po = boost::program_options;

namespace volcrypt::cli {
namespace {

// "A:B" -> {A, B}; both parts must be non-empty.
std::pair<std::string, std::string> split_pair(const std::string& text, const std::string& key,
                                               const std::string& path) {
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw Error(ErrorKind::usage, path + ": '" + key + " = " + text + "' is not of the form " +
                                      (key == "rank" ? "PLUGIN:RANK" : "PROVIDER:PLUGIN"));
  }
  return {text.substr(0, colon), text.substr(colon + 1)};
}

int32_t parse_rank(const std::string& text, const std::string& path) {
  if (text == "none") return 0;
  if (text == "marginal") return 64;
  if (text == "secondary") return 128;
  if (text == "primary") return 256;
  int32_t value = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    throw Error(ErrorKind::usage, path + ": rank '" + text +
                                      "' is not a number >= 0 or none/marginal/secondary/primary");
  }
  return value;
}

}  // namespace

void apply_config_file(const std::string& path, bool required, Settings& settings) {
  std::error_code ignored;
  if (!required && !std::filesystem::exists(std::filesystem::symlink_status(path, ignored))) {
    return;
  }
  // A FIFO, a device or a directory named as the config file is a mistake to report,
  // never a hang, an endless read or a silently empty config.
  std::istringstream in(read_bounded_file(path, "config file", kMaxConfigFileBytes));

  // Every key packaging/volcrypt.conf and volcrypt.conf(5) document.
  po::options_description keys;
  keys.add_options()("connect", po::value<std::string>())(
      "plugin-dir", po::value<std::vector<std::string>>()->composing())(
      "deny", po::value<std::vector<std::string>>()->composing())(
      "rank", po::value<std::vector<std::string>>()->composing())(
      "pin", po::value<std::vector<std::string>>()->composing())(
      "key-dir", po::value<std::string>())("detach-timeout-ms", po::value<int32_t>())(
      "probe-timeout-ms", po::value<int32_t>());
  po::variables_map vm;
  try {
    po::store(po::parse_config_file(in, keys, false), vm);
  } catch (const po::error& e) {
    throw Error(ErrorKind::usage, path + ": " + e.what());
  }
  const std::string origin = path;
  if (vm.count("connect")) {
    settings.connect_uri = vm["connect"].as<std::string>();
    settings.origins["connect = " + settings.connect_uri] = origin;
  }
  if (vm.count("plugin-dir")) {
    for (const auto& dir : vm["plugin-dir"].as<std::vector<std::string>>()) {
      settings.plugin_dirs.push_back(dir);
      settings.plugin_dir_origins[dir] = origin;
    }
  }
  if (vm.count("deny")) {
    for (const auto& id : vm["deny"].as<std::vector<std::string>>()) {
      settings.denied_plugins.insert(id);
      settings.origins["deny = " + id] = origin;
    }
  }
  if (vm.count("rank")) {
    for (const auto& entry : vm["rank"].as<std::vector<std::string>>()) {
      auto [id, rank] = split_pair(entry, "rank", path);
      settings.rank_overrides[id] = parse_rank(rank, path);
      settings.origins["rank = " + entry] = origin;
    }
  }
  if (vm.count("pin")) {
    for (const auto& entry : vm["pin"].as<std::vector<std::string>>()) {
      auto [provider, id] = split_pair(entry, "pin", path);
      settings.pinned_plugins[provider] = id;
      settings.origins["pin = " + entry] = origin;
    }
  }
  if (vm.count("key-dir")) {
    settings.key_dir = vm["key-dir"].as<std::string>();
    settings.origins["key-dir = " + settings.key_dir] = origin;
  }
  if (vm.count("detach-timeout-ms")) {
    settings.detach_timeout_ms = vm["detach-timeout-ms"].as<int32_t>();
    if (settings.detach_timeout_ms < 0) {
      throw Error(ErrorKind::usage, path + ": detach-timeout-ms must not be negative");
    }
    settings.origins["detach-timeout-ms = " + std::to_string(settings.detach_timeout_ms)] = origin;
  }
  if (vm.count("probe-timeout-ms")) {
    settings.probe_timeout_ms = vm["probe-timeout-ms"].as<int32_t>();
    if (settings.probe_timeout_ms <= 0 || settings.probe_timeout_ms > kMaxProbeTimeoutMs) {
      throw Error(ErrorKind::usage, path + ": probe-timeout-ms must be between 1 and " +
                                        std::to_string(kMaxProbeTimeoutMs));
    }
    settings.origins["probe-timeout-ms = " + std::to_string(settings.probe_timeout_ms)] = origin;
  }
}

}  // namespace volcrypt::cli
