#include "network/network_volume_header.hpp"

#include <algorithm>

namespace volcrypt {

VolumeBytes network_volume_bytes(NetworkVolume& volume) {
  return VolumeBytes{volume.name(), volume.size(),
                     [&volume](uint64_t offset, std::span<uint8_t> buffer) -> size_t {
                       if (offset >= volume.size()) return 0;
                       const size_t count = static_cast<size_t>(
                           std::min<uint64_t>(buffer.size(), volume.size() - offset));
                       volume.read(offset, buffer.first(count));
                       return count;
                     }};
}

HeaderKind read_network_volume_header(NetworkVolume& volume) {
  return read_volume_header(network_volume_bytes(volume));
}

uint64_t network_luks_payload_offset(NetworkVolume& volume) {
  return luks_payload_offset(network_volume_bytes(volume));
}

}  // namespace volcrypt
