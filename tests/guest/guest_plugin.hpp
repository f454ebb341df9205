// A real plugin file loaded as the core loads it (load_plugin_file), called through the
// one plugin driver (sdk/conformance/plugin_calls.hpp) against the one fake host, whose
// device-mapper facts are this kernel's own and whose attachment services are the
// core's: what prepare described (disk source, record state) comes back as the core
// would store it.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fake_host.hpp"
#include "plugin_calls.hpp"
#include "plugin_host/host_services.hpp"

namespace volcrypt::guest {

using conformance::CallOutcome;
using conformance::StateMap;
using conformance::VolumeRequest;

// A volume at path as attach describes it: "vol-guest" of provider, its header and kind
// read by the core's own code.
VolumeRequest volume_at(const std::string& path, const std::string& provider);

struct PrepareResult : CallOutcome {
  volcrypt_attachment attachment;
};

class GuestPlugin {
 public:
  // Loads BIN/plugins/ID.so once per process; loaded() says whether that worked and
  // refusal() why not.
  explicit GuestPlugin(const std::string& plugin_id);

  bool loaded() const { return plugin_ != nullptr; }
  const std::string& refusal() const { return refusal_; }

  CallOutcome probe(const VolumeRequest& volume);
  PrepareResult prepare(const VolumeRequest& volume, std::string_view key,
                        const StateMap& previous = {}, uint32_t flags = VOLCRYPT_PREPARE_LIVE);
  CallOutcome release(const StateMap& state);

  conformance::FakeHost& host() { return host_; }

 private:
  const volcrypt_plugin* plugin_ = nullptr;
  std::string refusal_;
  conformance::FakeHost host_;
};

// The state key whose value is the mapping name (the plugin chooses its keys).
std::string mapping_key(const StateMap& state, const std::string& mapping);

}  // namespace volcrypt::guest
