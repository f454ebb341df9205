#include "legacy_disk.hpp"

#include <filesystem>

namespace volcrypt {

std::optional<InferredOwner> infer_owner(const DiskInfo& disk) {
  if (disk.encryption) {
    return InferredOwner{"qemu-native-luks",
                         {{"secret-uuid", disk.encryption->secret_uuid}},
                         "native LUKS (<encryption> in the disk XML)"};
  }
  const std::string mapper_prefix = "/dev/mapper/";
  if (disk.source_path.starts_with(mapper_prefix)) {
    std::string mapping = disk.source_path.substr(mapper_prefix.size());
    return InferredOwner{
        "cryptsetup-luks", {{"mapping", mapping}}, "host dm-crypt (source under /dev/mapper)"};
  }
  return std::nullopt;
}

}  // namespace volcrypt
