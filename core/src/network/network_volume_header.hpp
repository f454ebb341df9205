// What a network volume holds at its start, read as a file's header is
// (base/volume_header.hpp), through the protocol's library.
#pragma once

#include <cstdint>
#include <volcrypt/types.hpp>

#include "base/volume_header.hpp"
#include "network/network_volume.hpp"

namespace volcrypt {

// The volume's bytes for base/volume_header.hpp's functions: reads stop at its end.
VolumeBytes network_volume_bytes(NetworkVolume& volume);

// LUKS1, LUKS2, blank or other, as read_volume_header says for a file; Error(refused_data)
// for a damaged LUKS1 header.
HeaderKind read_network_volume_header(NetworkVolume& volume);

// Where the encrypted data starts, read from the LUKS header as luks_payload_offset
// does for a file: what the guest loses of size(). This holds for librbd's own format
// too (`rbd encryption format`): it writes a LUKS1 or LUKS2 header whose payload offset
// is what librbd hides (LUKS1 4 MiB, LUKS2 16 MiB on a default image: its header is
// aligned to the image's 4 MiB objects, where cryptsetup's and qemu-img's are smaller).
uint64_t network_luks_payload_offset(NetworkVolume& volume);

// The volume's size in bytes (NetworkVolume::size), named as volume_size_bytes is.
inline uint64_t network_volume_size_bytes(NetworkVolume& volume) { return volume.size(); }

}  // namespace volcrypt
