// A real plugin file loaded as the core loads it (load_plugin_file) and called through
// its C table, against the fake host of the unit tests whose device-mapper facts are
// this kernel's own. What prepare described (disk source, record state) comes back as
// the core would store it.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "fake_host.hpp"
#include "plugin_host/host_services.hpp"

namespace volcrypt::guest {

using StateMap = std::map<std::string, std::string>;

// The volume as the core describes it to a plugin.
struct VolumeArgs {
  std::string path;
  std::string id = "vol-guest";
  std::string provider = "luks";
  std::string cipher;
  uint32_t key_size_bits = 0;
  volcrypt_header_kind header = VOLCRYPT_HEADER_UNKNOWN;
  volcrypt_source_kind source_kind = VOLCRYPT_SOURCE_BLOCK;
};

// A volume at path, its header and kind read by the core's own code, as attach does.
VolumeArgs volume_at(const std::string& path, const std::string& provider);

struct ProbeAnswer {
  int32_t rank = -1;
  std::string reason;
};

struct CallResult {
  int32_t status = -1;
  std::string message;
};

struct PrepareResult : CallResult {
  volcrypt_attachment attachment;
};

class PluginDriver {
 public:
  // Loads BIN/plugins/ID.so once per process; loaded() says whether that worked and
  // refusal() why not.
  explicit PluginDriver(const std::string& plugin_id);

  bool loaded() const { return plugin_ != nullptr; }
  const std::string& refusal() const { return refusal_; }

  ProbeAnswer probe(const VolumeArgs& volume);
  PrepareResult prepare(const VolumeArgs& volume, std::string_view key,
                        const StateMap& previous = {}, uint32_t flags = VOLCRYPT_PREPARE_LIVE);
  CallResult release(const StateMap& state);

  fakes::FakeHost& host() { return host_; }

 private:
  const volcrypt_plugin* plugin_ = nullptr;
  std::string refusal_;
  fakes::FakeHost host_;
};

// The state key whose value is the mapping name (the plugin chooses its keys).
std::string mapping_key(const StateMap& state, const std::string& mapping);

}  // namespace volcrypt::guest
