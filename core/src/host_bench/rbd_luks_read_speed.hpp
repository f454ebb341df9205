// How fast librbd's own LUKS1 decrypts an RBD image, measured in this process: the data
// path of <encryption engine='librbd'>, which runs the same librbd inside QEMU.
#pragma once

#include <cstdint>
#include <volcrypt/network_source.hpp>

#include "network/rbd_pool.hpp"

namespace volcrypt {

// Makes the image `image` names in `pool` (image_bytes long), formats it LUKS1 with
// rbd_encryption_format (a random passphrase in locked memory), writes it whole through
// the encryption (an RBD object never written reads as zeros without decrypting), reads
// it whole with the encryption loaded, and removes it however the measure ends. Returns
// bytes per CPU-second of this process (getrusage: every thread, librbd's included), the
// unit of QEMU's figure. Throws Error naming the image and the step that failed.
uint64_t measure_rbd_luks1_reads(const RbdPool& pool, const NetworkSource& image,
                                 uint64_t image_bytes);

}  // namespace volcrypt
