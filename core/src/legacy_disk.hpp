// Disks attached before volcrypt (by Nova, os-brick or by hand) carry no record.
// Detach infers who decrypts them from the disk XML alone.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "disk_xml.hpp"

namespace volcrypt {

struct InferredOwner {
  std::string plugin_id;
  std::map<std::string, std::string> state;
  std::string how;  // shown to the user, e.g. "native LUKS (<encryption> in the disk XML)"
};

// Nothing when the disk is not encrypted on this host at all.
std::optional<InferredOwner> infer_owner(const DiskInfo& disk);

}  // namespace volcrypt
