// Calls a built plugin, loaded as the core loads it, through its C descriptor against a
// fake host: the volume as the core would describe it, and each call's status and message.
// For the plugin unit tests.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fake_host.hpp"
#include "plugin_host/plugin_loader.hpp"

namespace volcrypt::plugin_harness {

struct ProbeAnswer {
  int32_t rank = -1;
  std::string reason;
};

struct CallResult {
  int32_t status = -1;
  std::string message;
};

// The volume as the core would describe it to a plugin.
struct VolumeArgs {
  std::string path;
  std::string id = "vol-1";
  std::string provider = "luks";
  std::string cipher;
  uint32_t key_size_bits = 0;
  volcrypt_header_kind header = VOLCRYPT_HEADER_BLANK;
  volcrypt_source_kind source_kind = VOLCRYPT_SOURCE_FILE;
  uint32_t key_facts = 0;        // VOLCRYPT_KEY_FACT_* (ABI 1.1); 0: no key known
  std::string network_protocol;  // ABI 1.4: "rbd", "iscsi", "nbd" for a network source
  uint32_t attach_flags = 0;     // ABI 1.4: the attach probed for; 0 unknown

  volcrypt_volume abi() const {
    volcrypt_volume v{};
    v.struct_size = sizeof(v);
    v.source_path = path.c_str();
    v.source_kind = source_kind;
    v.volume_id = id.c_str();
    v.provider = provider.c_str();
    v.cipher = cipher.c_str();
    v.key_size_bits = key_size_bits;
    v.header_kind = header;
    v.key_facts = key_facts;
    v.network_protocol = network_protocol.empty() ? nullptr : network_protocol.c_str();
    v.attach_flags = attach_flags;
    return v;
  }
};

// A network volume named as the core names it (e.g. "rbd:volumes/img").
inline VolumeArgs network_volume(const std::string& protocol, const std::string& name,
                                 volcrypt_header_kind header,
                                 const std::string& provider = "luks") {
  VolumeArgs args;
  args.path = name;
  args.header = header;
  args.provider = provider;
  args.source_kind = VOLCRYPT_SOURCE_NETWORK;
  args.network_protocol = protocol;
  return args;
}

inline VolumeArgs volume_at(const std::string& path, volcrypt_header_kind header,
                            const std::string& provider = "luks") {
  VolumeArgs args;
  args.path = path;
  args.header = header;
  args.provider = provider;
  return args;
}

// The plugin built into bin/plugins as FILE_STEM.so, loaded once and kept for the life
// of the process (the core never unloads a plugin either). Fails the test if refused.
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

class StateArgs {
 public:
  explicit StateArgs(const std::map<std::string, std::string>& state) : values_(state) {
    for (const auto& [key, value] : values_) entries_.push_back({key.c_str(), value.c_str()});
    state_ = {entries_.data(), entries_.size()};
  }
  const volcrypt_state* get() const { return &state_; }

 private:
  std::map<std::string, std::string> values_;
  std::vector<volcrypt_state_entry> entries_;
  volcrypt_state state_{};
};

inline ProbeAnswer probe(const LoadedPlugin& plugin, const fakes::FakeHost& host,
                         const VolumeArgs& args) {
  volcrypt_volume volume = args.abi();
  char reason[512] = {};
  char message[512] = {};
  volcrypt_error error{message, sizeof message};
  ProbeAnswer answer;
  answer.rank = plugin.descriptor().probe(host.table(), &volume, reason, sizeof reason, &error);
  answer.reason = answer.rank >= 0 ? reason : message;
  return answer;
}

inline CallResult prepare(const LoadedPlugin& plugin, const fakes::FakeHost& host,
                          const VolumeArgs& args, std::string_view key,
                          const std::map<std::string, std::string>& previous, uint32_t flags,
                          volcrypt_attachment& attachment) {
  volcrypt_volume volume = args.abi();
  // A passphrase as given (ABI 1.1 facts as the core sends them; the tests' are text).
  volcrypt_key abi_key{
      reinterpret_cast<const uint8_t*>(key.data()), key.size(),
      args.key_facts != 0 ? args.key_facts : VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8,
      nullptr, 0};
  StateArgs state(previous);
  char message[512] = {};
  volcrypt_error error{message, sizeof message};
  CallResult result;
  result.status = plugin.descriptor().prepare(host.table(), &volume, &abi_key, state.get(), flags,
                                              &attachment, &error);
  result.message = message;
  return result;
}

inline CallResult release(const LoadedPlugin& plugin, const fakes::FakeHost& host,
                          const std::map<std::string, std::string>& state) {
  StateArgs abi_state(state);
  char message[512] = {};
  volcrypt_error error{message, sizeof message};
  CallResult result;
  result.status = plugin.descriptor().release(host.table(), abi_state.get(), &error);
  result.message = message;
  return result;
}

// ABI 1.2's resize; result.status, and the size the plugin wrote into disk_size.
inline CallResult resize(const LoadedPlugin& plugin, const fakes::FakeHost& host,
                         const std::map<std::string, std::string>& state, uint64_t volume_size,
                         uint64_t& disk_size) {
  StateArgs abi_state(state);
  char message[512] = {};
  volcrypt_error error{message, sizeof message};
  CallResult result;
  result.status =
      plugin.descriptor().resize(host.table(), abi_state.get(), volume_size, &disk_size, &error);
  result.message = message;
  return result;
}

// Fails the test when text appears in any log line (secrets must never be logged).
inline void expect_not_logged(const fakes::FakeHost& host, std::string_view text) {
  for (const std::string& line : host.log_lines()) {
    EXPECT_EQ(line.find(text), std::string::npos) << "leaked into the log: " << line;
  }
}

}  // namespace volcrypt::plugin_harness
