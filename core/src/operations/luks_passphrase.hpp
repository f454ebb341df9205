// Whether a passphrase opens a LUKS1 or LUKS2 header, checked by the host with
// libcryptsetup for plugins (check_passphrase, ABI 1.4) wherever the volume lives.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace volcrypt {

// header_path: a file or block device holding the header at its start (the volume
// itself, or a copy of its header area). volume_name names the volume in errors. True
// when a key slot opens; false when none does. Throws Error(refused_data) for a header
// libcryptsetup finds damaged or not LUKS, Error(plugin_failed) when it cannot check.
// Needs no device-mapper: nothing is activated.
bool luks_passphrase_opens(const std::string& header_path, const std::string& volume_name,
                           std::span<const uint8_t> passphrase);

}  // namespace volcrypt

namespace volcrypt {

// The same for a volume whose header area (its first bytes up to where its data starts)
// was read into memory, e.g. over the network: checked on an anonymous in-memory file.
bool luks_header_passphrase_opens(std::span<const uint8_t> header_area,
                                  const std::string& volume_name,
                                  std::span<const uint8_t> passphrase);

}  // namespace volcrypt
