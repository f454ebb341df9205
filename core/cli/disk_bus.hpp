// The guest bus of an attached disk, by the name the command line and batches use.
#pragma once

#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

// "virtio", "scsi" or "sata"; Error(usage) for any other name.
Bus parse_bus(const std::string& name);

}  // namespace volcrypt::cli
