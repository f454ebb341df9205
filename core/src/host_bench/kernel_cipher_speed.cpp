#include "host_bench/kernel_cipher_speed.hpp"

#include <libcryptsetup.h>

#include <cstring>

namespace volcrypt {

KernelCipherSpeed measure_kernel_cipher(bool has_dm_crypt) {
  KernelCipherSpeed out;
  if (!has_dm_crypt) {
    out.skipped = "no device-mapper with the crypt target in this kernel";
    return out;
  }
  constexpr size_t kBuffer = 4 * 1024 * 1024;
  double encryption_mib = 0;
  double decryption_mib = 0;
  // The kernel crypto API names the mode alone ("xts(aes)"); the IV generator
  // (plain64) is dm-crypt's and costs nothing next to the cipher.
  const int status =
      crypt_benchmark(nullptr, "aes", "xts", 64, 16, kBuffer, &encryption_mib, &decryption_mib);
  if (status < 0) {
    out.skipped =
        std::string("the kernel crypto API refused aes-xts-plain64: ") + std::strerror(-status);
    return out;
  }
  // libcryptsetup reports MiB/s; a guest reads, so decryption is the figure.
  out.bytes_per_second = static_cast<uint64_t>(decryption_mib * 1024.0 * 1024.0);
  return out;
}

}  // namespace volcrypt
