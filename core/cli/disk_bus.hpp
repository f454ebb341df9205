// The guest bus of an attached disk and its iothread, as the command line, batches and
// the config file write them.
#pragma once

#include <cstdint>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

// "virtio", "scsi" or "sata"; Error(usage) for any other name.
Bus parse_bus(const std::string& name);

// An iothread id: a whole number from 1; Error(usage) naming `what` (e.g. "--iothread").
uint32_t parse_iothread(const std::string& text, const std::string& what);

}  // namespace volcrypt::cli
