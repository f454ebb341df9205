// The kernel's dm-crypt cipher: how fast this kernel decrypts aes-xts-plain64 (512-bit
// key), measured by libcryptsetup's crypt_benchmark through the kernel crypto API, the
// same cipher code a dm-crypt mapping runs. Only meaningful where device-mapper exists.
#pragma once

#include <cstdint>
#include <string>

namespace volcrypt {

struct KernelCipherSpeed {
  uint64_t bytes_per_second = 0;
  std::string skipped;  // why there is no figure, e.g. "no device-mapper in this kernel"
};

KernelCipherSpeed measure_kernel_cipher(bool has_dm_crypt);

}  // namespace volcrypt
