#include "config_file.hpp"

#include <boost/program_options.hpp>
#include <charconv>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/network_source.hpp>

#include "disk_bus.hpp"

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
  if (text == "on-request") return kRankOnRequest;
  if (text == "none") return 0;
  if (text == "marginal") return 64;
  if (text == "secondary") return 128;
  if (text == "primary") return 256;
  int32_t value = -1;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0) {
    throw Error(ErrorKind::usage,
                path + ": rank '" + text +
                    "' is not a number >= 0 or on-request/none/marginal/secondary/primary");
  }
  return value;
}

// A throughput factor: a plain decimal from 1 to 100 ("1.5"), so that "faster by the
// factor" can never mean slower.
double parse_factor(const std::string& text, const std::string& origin) {
  double value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || !(value >= 1.0) ||
      value > 100.0) {
    throw Error(ErrorKind::usage,
                origin + ": throughput-factor '" + text + "' is not a number from 1 to 100");
  }
  return value;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

// "KEY = VALUE" -> the number of the line it is first on, read as Program_options
// reads the file (blanks around key and value, '#' comments), so that each setting
// can say where it came from.
std::map<std::string, int> setting_lines(const std::string& text) {
  std::map<std::string, int> lines;
  std::istringstream in(text);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trimmed(line.substr(0, line.find('#')));
    const auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    lines.emplace(trimmed(line.substr(0, equals)) + " = " + trimmed(line.substr(equals + 1)),
                  number);
  }
  return lines;
}

// Nova's names for the rbd defaults; each checked as the command line's options are,
// naming the line it is on.
template <typename OriginOf>
void apply_rbd_settings(const po::variables_map& vm, OriginOf origin_of, Settings& settings) {
  const auto text = [&](const char* key) { return vm[key].as<std::string>(); };
  const auto line_of = [&](const char* key) {
    return origin_of(std::string(key) + " = " + text(key));
  };
  const auto where = [&](const char* key) { return line_of(key) + ": " + key; };
  // A user alone or a uuid alone is fine here (the command line may give the other):
  // each is checked by a source's rules with the other part filled in.
  for (const char* key : {"rbd_user", "rbd_secret_uuid"}) {
    if (!vm.count(key)) continue;
    NetworkSource source;
    source.name = "pool/image";
    source.auth_username = key == std::string("rbd_user") ? text(key) : "user";
    source.auth_secret_uuid =
        key == std::string("rbd_user") ? "00000000-0000-0000-0000-000000000000" : text(key);
    try {
      validate_network_source(source);
    } catch (const Error& e) {
      throw Error(ErrorKind::usage, line_of(key) + ": " + e.what());
    }
  }
  if (vm.count("bench_rbd_pool")) {
    NetworkSource source;
    source.name = text("bench_rbd_pool") + "/image";
    try {
      validate_network_source(source);
    } catch (const Error& e) {
      throw Error(ErrorKind::usage, line_of("bench_rbd_pool") + ": " + e.what());
    }
    settings.bench_rbd_pool = text("bench_rbd_pool");
  }
  if (vm.count("rbd_user")) settings.rbd_user = text("rbd_user");
  if (vm.count("rbd_secret_uuid")) settings.rbd_secret_uuid = text("rbd_secret_uuid");
  if (vm.count("rbd_monitors")) {
    settings.rbd_monitors.clear();
    const std::string list = text("rbd_monitors");
    for (size_t start = 0; start <= list.size();) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      settings.rbd_monitors.push_back(parse_network_host(
          trimmed(std::string_view(list).substr(start, comma - start)), where("rbd_monitors")));
      start = comma + 1;
    }
  }
  if (vm.count("ceph_conf")) {
    settings.ceph_conf = text("ceph_conf");
    if (!settings.ceph_conf.starts_with('/')) {
      throw Error(ErrorKind::usage,
                  where("ceph_conf") + " '" + settings.ceph_conf + "' is not an absolute path");
    }
  }
}

}  // namespace

void apply_config_file(const std::string& path, bool required, Settings& settings) {
  std::error_code ignored;
  if (!required && !std::filesystem::exists(std::filesystem::symlink_status(path, ignored))) {
    return;
  }
  // A FIFO, a device or a directory named as the config file is a mistake to report,
  // never a hang, an endless read or a silently empty config.
  const std::string text = read_bounded_file(path, "config file", kMaxConfigFileBytes);
  std::istringstream in(text);
  const std::map<std::string, int> lines = setting_lines(text);

  // Every key packaging/volcrypt.conf and volcrypt.conf(5) document.
  po::options_description keys;
  keys.add_options()("connect", po::value<std::string>())(
      "plugin-dir", po::value<std::vector<std::string>>()->composing())(
      "deny", po::value<std::vector<std::string>>()->composing())(
      "rank", po::value<std::vector<std::string>>()->composing())(
      "pin", po::value<std::vector<std::string>>()->composing())(
      "key-dir", po::value<std::string>())("detach-timeout-ms", po::value<int32_t>())(
      "probe-timeout-ms", po::value<int32_t>())("describe-timeout-ms", po::value<int32_t>())(
      "cache-dir", po::value<std::string>())("secrets", po::value<std::string>())(
      "prefer", po::value<std::string>())("throughput-factor", po::value<std::string>())(
      "iothread", po::value<std::string>())("rbd_user", po::value<std::string>())(
      "rbd_secret_uuid", po::value<std::string>())("rbd_monitors", po::value<std::string>())(
      "ceph_conf", po::value<std::string>())("bench_rbd_pool", po::value<std::string>());
  po::variables_map vm;
  try {
    po::store(po::parse_config_file(in, keys, false), vm);
  } catch (const po::error& e) {
    throw Error(ErrorKind::usage, path + ": " + e.what());
  }
  // "PATH:LINE" of a setting (just PATH for one written in a way the lines miss).
  auto origin_of = [&](const std::string& setting) {
    auto line = lines.find(setting);
    return line == lines.end() ? path : path + ":" + std::to_string(line->second);
  };
  auto remember = [&](const std::string& setting) {
    settings.origins[setting] = origin_of(setting);
  };
  if (vm.count("connect")) {
    settings.connect_uri = vm["connect"].as<std::string>();
    remember("connect = " + settings.connect_uri);
  }
  if (vm.count("plugin-dir")) {
    for (const auto& dir : vm["plugin-dir"].as<std::vector<std::string>>()) {
      settings.plugin_dirs.push_back(dir);
      settings.plugin_dir_origins[dir] = origin_of("plugin-dir = " + dir);
    }
  }
  if (vm.count("deny")) {
    for (const auto& id : vm["deny"].as<std::vector<std::string>>()) {
      settings.denied_plugins.insert(id);
      remember("deny = " + id);
    }
  }
  if (vm.count("rank")) {
    for (const auto& entry : vm["rank"].as<std::vector<std::string>>()) {
      auto [id, rank] = split_pair(entry, "rank", path);
      settings.rank_overrides[id] = parse_rank(rank, path);
      remember("rank = " + entry);
    }
  }
  if (vm.count("pin")) {
    for (const auto& entry : vm["pin"].as<std::vector<std::string>>()) {
      auto [provider, id] = split_pair(entry, "pin", path);
      auto [earlier, first] = settings.pinned_plugins.emplace(provider, id);
      if (!first && earlier->second != id) {
        // Which of the two would win is an accident of the file's order: refuse both.
        const std::string other = "pin = " + provider + ":" + earlier->second;
        throw Error(ErrorKind::usage, "two pins for provider '" + provider + "': '" + other +
                                          "' (" + origin_of(other) + ") and 'pin = " + entry +
                                          "' (" + origin_of("pin = " + entry) + ")");
      }
      remember("pin = " + entry);
    }
  }
  if (vm.count("key-dir")) {
    settings.key_dir = vm["key-dir"].as<std::string>();
    remember("key-dir = " + settings.key_dir);
  }
  if (vm.count("detach-timeout-ms")) {
    settings.detach_timeout_ms = vm["detach-timeout-ms"].as<int32_t>();
    if (settings.detach_timeout_ms < 0) {
      throw Error(ErrorKind::usage, path + ": detach-timeout-ms must not be negative");
    }
    remember("detach-timeout-ms = " + std::to_string(settings.detach_timeout_ms));
  }
  for (auto [key, limit] : {std::pair{"probe-timeout-ms", &settings.probe_timeout_ms},
                            std::pair{"describe-timeout-ms", &settings.describe_timeout_ms}}) {
    if (!vm.count(key)) continue;
    *limit = vm[key].as<int32_t>();
    if (*limit <= 0 || *limit > kMaxProbeTimeoutMs) {
      throw Error(ErrorKind::usage, path + ": " + key + " must be between 1 and " +
                                        std::to_string(kMaxProbeTimeoutMs));
    }
    remember(std::string(key) + " = " + std::to_string(*limit));
  }
  if (vm.count("cache-dir")) {
    settings.plugin_cache_dir = vm["cache-dir"].as<std::string>();
    remember("cache-dir = " + settings.plugin_cache_dir);
  }
  // A key that takes one of two words: whether it is set to the second one.
  auto either = [&](const std::string& key, const std::string& first,
                    const std::string& second) -> std::optional<bool> {
    if (!vm.count(key)) return std::nullopt;
    const std::string word = vm[key].as<std::string>();
    if (word != first && word != second) {
      throw Error(ErrorKind::usage, origin_of(key + " = " + word) + ": " + key + " must be '" +
                                        first + "' or '" + second + "', not '" + word + "'");
    }
    remember(key + " = " + word);
    return word == second;
  };
  if (auto ephemeral = either("secrets", "persistent", "ephemeral")) {
    settings.ephemeral_secrets = *ephemeral;
  }
  if (auto throughput = either("prefer", "isolation", "throughput")) {
    settings.prefer_throughput = *throughput;
  }
  if (vm.count("throughput-factor")) {
    const std::string text = vm["throughput-factor"].as<std::string>();
    settings.throughput_factor = parse_factor(text, origin_of("throughput-factor = " + text));
    remember("throughput-factor = " + text);
  }
  apply_rbd_settings(vm, origin_of, settings);
  for (const char* key :
       {"rbd_user", "rbd_secret_uuid", "rbd_monitors", "ceph_conf", "bench_rbd_pool"}) {
    if (vm.count(key)) remember(std::string(key) + " = " + vm[key].as<std::string>());
  }
  if (vm.count("iothread")) {
    const std::string text = vm["iothread"].as<std::string>();
    settings.default_iothread =
        parse_iothread(text, origin_of("iothread = " + text) + ": iothread");
    remember("iothread = " + text);
  }
}

}  // namespace volcrypt::cli
