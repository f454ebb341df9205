#include "throughput_output.hpp"

#include <volcrypt/throughput_text.hpp>

namespace volcrypt::cli {

std::string figures_text(const ThroughputFigures& figures) {
  return "native LUKS " + throughput_text(figures.qemu_luks_read) + ", librbd LUKS1 " +
         throughput_text(figures.librbd_luks_read) + ", dm-crypt " +
         throughput_text(figures.dm_crypt) + ", CPU AES-XTS " +
         throughput_text(figures.cpu_aes_xts);
}

Json figures_json(const ThroughputFigures& figures) {
  return Json{{"cpu_aes_xts", figures.cpu_aes_xts},
              {"qemu_luks_read", figures.qemu_luks_read},
              {"qemu_raw_read", figures.qemu_raw_read},
              {"dm_crypt", figures.dm_crypt},
              {"librbd_luks_read", figures.librbd_luks_read}};
}

}  // namespace volcrypt::cli
