// QEMU's native LUKS data path: how fast QEMU's block layer reads a LUKS volume, and the
// same file as raw. qemu-io reads a throw-away LUKS file through the same block drivers
// (luks over file) and the same decryption code (qcrypto) that a domain's disk runs,
// without a domain: no libvirt, no guest, about a second. The file is formatted LUKS1 by
// libcryptsetup with a random passphrase that only a 0600 file in a 0700 folder holds
// (and this process's memory), and removed after.
// The figures are bytes per CPU-second of qemu-io (the CPU time of a whole read less that
// of a 4 KiB one, which costs the same start-up and key derivation): QEMU reads and
// decrypts in one thread, so this is what one core reaches, however busy the host is.
#pragma once

#include <cstdint>
#include <string>

namespace volcrypt {

struct QemuReadSpeed {
  uint64_t luks_bytes_per_second = 0;
  uint64_t raw_bytes_per_second = 0;
  std::string skipped;  // why there are no figures (e.g. qemu-io is not installed)
};

QemuReadSpeed measure_qemu_reads(uint64_t volume_bytes);

}  // namespace volcrypt
