// Bytes per second as people read them: "386 MiB/s", "5.12 GiB/s", "unknown" for 0.
#pragma once

#include <cstdint>
#include <string>

namespace volcrypt {

std::string throughput_text(uint64_t bytes_per_second);

}  // namespace volcrypt
