#include "disk_bus.hpp"

#include <charconv>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

namespace volcrypt::cli {

Bus parse_bus(const std::string& name) {
  if (name == "scsi") return Bus::scsi;
  if (name == "virtio") return Bus::virtio;
  if (name == "sata") return Bus::sata;
  throw Error(ErrorKind::usage,
              "bus '" + printable_text(name) + "' is not one of virtio, scsi, sata");
}

uint32_t parse_iothread(const std::string& text, const std::string& what) {
  uint32_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || id == 0) {
    throw Error(ErrorKind::usage, what + " '" + printable_text(text) +
                                      "' is not an iothread id (a whole number from 1)");
  }
  return id;
}

}  // namespace volcrypt::cli
