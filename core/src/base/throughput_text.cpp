#include <cstdio>
#include <volcrypt/throughput_text.hpp>

namespace volcrypt {

std::string throughput_text(uint64_t bytes_per_second) {
  if (bytes_per_second == 0) return "unknown";
  constexpr double kMiB = 1024.0 * 1024.0;
  const double mib = static_cast<double>(bytes_per_second) / kMiB;
  char text[32];
  if (mib >= 1024.0) {
    std::snprintf(text, sizeof text, "%.2f GiB/s", mib / 1024.0);
  } else {
    std::snprintf(text, sizeof text, "%.0f MiB/s", mib);
  }
  return text;
}

}  // namespace volcrypt
