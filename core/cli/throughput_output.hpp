// The host-bench figures in probe's and host-bench's output, text and JSON alike.
#pragma once

#include <string>
#include <volcrypt/types.hpp>

#include "json_output.hpp"

namespace volcrypt::cli {

// "native LUKS 386 MiB/s, librbd LUKS1 1.1 GiB/s, dm-crypt unknown, CPU AES-XTS 5.12 GiB/s"
std::string figures_text(const ThroughputFigures& figures);

// {"cpu_aes_xts": N, "qemu_luks_read": N, "qemu_raw_read": N, "dm_crypt": N,
// "librbd_luks_read": N} in bytes per second, 0 when not measured.
Json figures_json(const ThroughputFigures& figures);

}  // namespace volcrypt::cli
