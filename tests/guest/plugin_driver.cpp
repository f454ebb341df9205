#include "plugin_driver.hpp"

#include <vector>

#include "base/volume_header.hpp"
#include "domain/host_facts.hpp"
#include "guest_paths.hpp"
#include "plugin_host/plugin_loader.hpp"

namespace volcrypt::guest {
namespace {

// Plugins stay loaded for the life of the process, as in the core.
std::map<std::string, LoadOutcome>& loaded_plugins() {
  static auto* plugins = new std::map<std::string, LoadOutcome>();
  return *plugins;
}

volcrypt_volume to_abi(const VolumeArgs& args) {
  volcrypt_volume v{};
  v.struct_size = sizeof(v);
  v.source_path = args.path.c_str();
  v.source_kind = args.source_kind;
  v.volume_id = args.id.c_str();
  v.provider = args.provider.c_str();
  v.cipher = args.cipher.c_str();
  v.key_size_bits = args.key_size_bits;
  v.header_kind = args.header;
  return v;
}

struct AbiState {
  explicit AbiState(const StateMap& state) {
    for (const auto& [key, value] : state) entries.push_back({key.c_str(), value.c_str()});
    abi = {entries.data(), entries.size()};
  }
  std::vector<volcrypt_state_entry> entries;
  volcrypt_state abi{};
};

}  // namespace

VolumeArgs volume_at(const std::string& path, const std::string& provider) {
  VolumeArgs args;
  args.path = path;
  args.provider = provider;
  args.header = static_cast<volcrypt_header_kind>(to_abi(read_volume_header(path)));
  args.source_kind = volume_source_kind(path);
  return args;
}

PluginDriver::PluginDriver(const std::string& plugin_id) {
  auto& plugins = loaded_plugins();
  auto it = plugins.find(plugin_id);
  if (it == plugins.end()) {
    it = plugins.emplace(plugin_id, load_plugin_file(plugin_file(plugin_id))).first;
  }
  if (it->second.plugin) {
    plugin_ = &it->second.plugin->descriptor();
  } else {
    refusal_ = it->second.refusal;
  }
  // The facts a real host would report for this kernel.
  HostFacts facts;
  detect_device_mapper(facts);
  host_.set_device_mapper(facts.has_device_mapper, facts.has_dm_crypt);
}

ProbeAnswer PluginDriver::probe(const VolumeArgs& args) {
  volcrypt_volume volume = to_abi(args);
  char reason[512] = {};
  char message[512] = {};
  volcrypt_error error{message, sizeof message};
  ProbeAnswer answer;
  answer.rank = plugin_->probe(host_.table(), &volume, reason, sizeof reason, &error);
  answer.reason = answer.rank >= 0 ? reason : message;
  return answer;
}

PrepareResult PluginDriver::prepare(const VolumeArgs& args, std::string_view key,
                                    const StateMap& previous, uint32_t flags) {
  volcrypt_volume volume = to_abi(args);
  // A passphrase as given (ABI 1.1 facts as the core sends them; the tests' are text).
  volcrypt_key abi_key{reinterpret_cast<const uint8_t*>(key.data()), key.size(),
                       VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8, nullptr, 0};
  AbiState previous_state(previous);
  char message[512] = {};
  volcrypt_error error{message, sizeof message};
  PrepareResult result;
  result.status = plugin_->prepare(host_.table(), &volume, &abi_key, &previous_state.abi, flags,
                                   &result.attachment, &error);
  result.message = message;
  return result;
}

CallResult PluginDriver::release(const StateMap& state) {
  AbiState abi_state(state);
  char message[512] = {};
  volcrypt_error error{message, sizeof message};
  CallResult result;
  result.status = plugin_->release(host_.table(), &abi_state.abi, &error);
  result.message = message;
  return result;
}

std::string mapping_key(const StateMap& state, const std::string& mapping) {
  for (const auto& [key, value] : state) {
    if (value == mapping) return key;
  }
  return "";
}

}  // namespace volcrypt::guest
