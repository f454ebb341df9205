// What the plugin unit tests share around the one plugin driver and fake host
// (sdk/conformance/plugin_calls.hpp, fake_host.hpp): the built plugins, loaded as the core
// loads them, and volumes as the core describes them.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core_attachments.hpp"
#include "fake_host.hpp"
#include "plugin_calls.hpp"
#include "plugin_host/plugin_loader.hpp"

namespace volcrypt::plugin_harness {

using conformance::call_prepare;
using conformance::call_probe;
using conformance::call_release;
using conformance::call_resize;
using conformance::CallOutcome;
using conformance::FakeHost;
using conformance::VolumeRequest;

// A volume file as the core describes it: volume "vol-1" of the luks provider.
inline VolumeRequest volume_at(const std::string& path, volcrypt_header_kind header,
                               const std::string& provider = "luks") {
  VolumeRequest volume;
  volume.source_path = path;
  volume.volume_id = "vol-1";
  volume.header_kind = header;
  volume.provider = provider;
  return volume;
}

// A network volume named as the core names it (e.g. "rbd:volumes/img").
inline VolumeRequest network_volume(const std::string& protocol, const std::string& name,
                                    volcrypt_header_kind header,
                                    const std::string& provider = "luks") {
  VolumeRequest volume = volume_at(name, header, provider);
  volume.source_kind = VOLCRYPT_SOURCE_NETWORK;
  volume.network_protocol = protocol;
  return volume;
}

// The plugin built into bin/plugins as FILE_STEM.so, loaded once and kept for the life
// of the process (the core never unloads a plugin either). Throws if refused.
inline const LoadedPlugin& built_plugin(const std::string& file_stem) {
  static auto* loaded = new std::map<std::string, std::shared_ptr<LoadedPlugin>>();
  auto it = loaded->find(file_stem);
  if (it == loaded->end()) {
    const auto file = std::filesystem::path(VOLCRYPT_BUILD_PLUGIN_DIR) / (file_stem + ".so");
    LoadOutcome outcome = load_plugin_file(file);
    if (outcome.plugin == nullptr) throw std::runtime_error(outcome.refusal);
    it = loaded->emplace(file_stem, outcome.plugin).first;
  }
  return *it->second;
}

// Fails the test when text appears in any log line (secrets must never be logged).
inline void expect_not_logged(const FakeHost& host, std::string_view text) {
  for (const std::string& line : host.log_lines) {
    EXPECT_EQ(line.find(text), std::string::npos) << "leaked into the log: " << line;
  }
}

}  // namespace volcrypt::plugin_harness
