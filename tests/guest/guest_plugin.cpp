#include "guest_plugin.hpp"

#include "base/volume_header.hpp"
#include "core_attachments.hpp"
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

}  // namespace

VolumeRequest volume_at(const std::string& path, const std::string& provider) {
  VolumeRequest volume;
  volume.source_path = path;
  volume.volume_id = "vol-guest";
  volume.provider = provider;
  volume.header_kind = to_abi(read_volume_header(path));
  volume.source_kind = volume_source_kind(path);
  return volume;
}

GuestPlugin::GuestPlugin(const std::string& plugin_id)
    : host_(test::plain_qemu_host(), test::core_attachment_services()) {
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

CallOutcome GuestPlugin::probe(const VolumeRequest& volume) {
  return conformance::call_probe(*plugin_, host_, volume);
}

PrepareResult GuestPlugin::prepare(const VolumeRequest& volume, std::string_view key,
                                   const StateMap& previous, uint32_t flags) {
  PrepareResult result;
  static_cast<CallOutcome&>(result) =
      conformance::call_prepare(*plugin_, host_, volume, key, previous, flags, result.attachment);
  return result;
}

CallOutcome GuestPlugin::release(const StateMap& state) {
  return conformance::call_release(*plugin_, host_, state);
}

std::string mapping_key(const StateMap& state, const std::string& mapping) {
  for (const auto& [key, value] : state) {
    if (value == mapping) return key;
  }
  return "";
}

}  // namespace volcrypt::guest
