// A blank volume is all zero in its first 4 MiB (or all of it, if shorter): the only
// kind a plugin may format. Formatting writes only inside those bytes, so zeroing them
// again undoes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <volcrypt/plugin.hpp>
#include <volcrypt/plugin_contract.hpp>

namespace volcrypt::dm {

// The host's own rule for VOLCRYPT_HEADER_BLANK, from the SDK contract.
using contract::kBlankCheckBytes;

// True when the first kBlankCheckBytes of the volume (or all of it) are zero.
// Throws sdk::Error when it cannot be read.
bool volume_is_blank(const std::string& path);

// The volume's size in bytes (files and block devices). Throws sdk::Error.
uint64_t volume_size(const std::string& path);

// Undoes a format of a volume that was blank: zeroes its first kBlankCheckBytes and, for
// a file that libcryptsetup grew, truncates it back to original_size. Logs a warning
// (never throws) when it cannot, since it runs while another error is on its way out.
void restore_blank(const sdk::Host& host, const std::string& path, uint64_t original_size);

}  // namespace volcrypt::dm
