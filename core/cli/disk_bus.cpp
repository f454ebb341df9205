#include "disk_bus.hpp"

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

}  // namespace volcrypt::cli
