#include "operations/passphrase_check.hpp"

#include <vector>
#include <volcrypt/error.hpp>

#include "network/network_volume_header.hpp"
#include "operations/luks_passphrase.hpp"
#include "operations/network_access.hpp"

namespace volcrypt {
namespace {

// LUKS2's largest usual header area is 16 MiB; anything far beyond it is not a header
// worth reading into memory over the network.
constexpr uint64_t kMaxHeaderAreaBytes = 64ull << 20;

bool network_passphrase_opens(EngineContext& context, const NetworkSource& source,
                              std::span<const uint8_t> passphrase) {
  const auto volume = open_over_network(context, source);
  const uint64_t area = network_luks_payload_offset(*volume);
  if (area == 0 || area > kMaxHeaderAreaBytes || area > volume->size()) {
    throw Error(ErrorKind::refused_data, "the LUKS header of volume '" + volume->name() +
                                             "' says its data starts at byte " +
                                             std::to_string(area) + ", which is not plausible");
  }
  std::vector<uint8_t> header(area);
  volume->read(0, header);
  return luks_header_passphrase_opens(header, volume->name(), passphrase);
}

}  // namespace

HostServices::PassphraseCheck passphrase_check_for(EngineContext& context,
                                                   const VolumeSpec& volume) {
  if (volume.network) {
    return [&context, source = *volume.network](std::span<const uint8_t> passphrase) {
      return network_passphrase_opens(context, source, passphrase);
    };
  }
  return [path = volume.source_path](std::span<const uint8_t> passphrase) {
    return luks_passphrase_opens(path, path, passphrase);
  };
}

}  // namespace volcrypt
