#include "mapping_refusal.hpp"

namespace volcrypt::dm {

std::string mapping_refusal(const sdk::HostFacts& facts, const sdk::Volume& volume) {
  if (volume.source_kind == sdk::SourceKind::network) {
    return "a network volume (" + std::string(volume.network_protocol) +
           ") has no host block device for dm-crypt; QEMU reads it itself";
  }
  if (!facts.has_device_mapper) return "the kernel offers no device-mapper";
  if (!facts.has_dm_crypt) return "the kernel has no dm-crypt target";
  return {};
}

}  // namespace volcrypt::dm
