#include "throughput_output.hpp"

#include <volcrypt/throughput_text.hpp>

namespace volcrypt::cli {

std::string figures_text(const ThroughputFigures& figures) {
  return "native LUKS " + throughput_text(figures.qemu_luks_read) + ", librbd LUKS1 " +
         throughput_text(figures.librbd_luks_read) + ", dm-crypt " +
         throughput_text(figures.dm_crypt) + ", CPU AES-XTS " +
         throughput_text(figures.cpu_aes_xts);
}

void write_figures_json(JsonWriter& json, const ThroughputFigures& figures) {
  json.key("figures")
      .begin_object()
      .field("cpu_aes_xts", static_cast<int64_t>(figures.cpu_aes_xts))
      .field("qemu_luks_read", static_cast<int64_t>(figures.qemu_luks_read))
      .field("qemu_raw_read", static_cast<int64_t>(figures.qemu_raw_read))
      .field("dm_crypt", static_cast<int64_t>(figures.dm_crypt))
      .field("librbd_luks_read", static_cast<int64_t>(figures.librbd_luks_read))
      .end_object();
}

}  // namespace volcrypt::cli
