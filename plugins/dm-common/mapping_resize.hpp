// Growing an open dm-crypt mapping after its volume grew (`volcrypt extend`, ABI 1.2's
// resize): LUKS and plain mappings alike, through libcryptsetup's crypt_resize.
#pragma once

#include <cstdint>
#include <volcrypt/plugin.hpp>

namespace volcrypt::dm {

// Makes the mapping the state records ("mapping", over "device") cover new_volume_size
// bytes of its volume less what precedes its data (the LUKS header, a plain offset), and
// returns the mapping's size in bytes once done; 0 when it is not open, or the state
// names none (it opens at the volume's full size next time). A mapping already that large is left
// as it is. Throws sdk::Error, changing nothing: INVALID when it would shrink or new_volume_size is
// not whole 512-byte sectors, BUSY when the mapping maps another device; FAILED with
// libcryptsetup's words when the resize itself fails.
uint64_t resize_recorded_mapping(const sdk::Host& host, const sdk::State& state,
                                 uint64_t new_volume_size);

}  // namespace volcrypt::dm
