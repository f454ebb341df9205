// Formatting a blank Ceph RBD image as LUKS with librbd's own encryption format (what
// `rbd encryption format` writes), so that librbd, and QEMU for LUKS1, can open it.
#pragma once

#include <cstdint>
#include <span>
#include <volcrypt/network_source.hpp>

#include "network/network_volume.hpp"

namespace volcrypt {

struct RbdLuksFormat {
  bool luks2 = false;       // LUKS2, else LUKS1
  uint32_t key_bits = 512;  // aes-xts-plain64 with a 512-bit (AES-256) or 256-bit key
};

// Opens the image read-write with credentials, re-reads the area librbd's header will
// cover (and never less than the host's blank check) and formats it only when that is
// all zero: Error(refused_data) otherwise, with nothing written. A format that fails
// after librbd wrote part of a header zeroes that area again. The passphrase goes to
// librbd as given (no copy here). Throws Error as open_network_volume says for the
// connection, Error(internal) when librbd cannot format.
void format_blank_rbd_image(const NetworkSource& source, const NetworkCredentials& credentials,
                            const RbdLuksFormat& format, std::span<const uint8_t> passphrase);

}  // namespace volcrypt
