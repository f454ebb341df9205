#include "mapped_disk.hpp"

#include <optional>
#include <string>

#include "crypt_device.hpp"
#include "dm_mapping.hpp"

namespace volcrypt::dm {

sdk::DiskClaim claim_mapped_disk(const sdk::Host& host, const sdk::Disk& disk,
                                 const MappedDiskRule& rule) {
  constexpr std::string_view kMapperPrefix = "/dev/mapper/";
  if (!disk.source_path.starts_with(kMapperPrefix)) return {};
  const std::string mapping(disk.source_path.substr(kMapperPrefix.size()));
  if (mapping.empty() || mapping.find('/') != std::string::npos) return {};

  sdk::Rank rank = rule.when_unknown;
  CryptLog log(host);
  try {
    if (std::optional<MappingInfo> info = find_mapping(log, mapping)) {
      rank = rule.owns_type(info->type) ? sdk::Rank::primary : sdk::Rank::none;
    }
  } catch (const sdk::Error& e) {
    // Not a dm-crypt mapping (or device-mapper would not say): not ours to close.
    host.log(VOLCRYPT_LOG_DEBUG,
             "not claiming disk " + std::string(disk.source_path) + ": " + e.what());
    return {};
  }
  if (rank == sdk::Rank::none) return {};
  return {static_cast<int32_t>(rank), std::string(rule.reason), {{"mapping", mapping}}};
}

}  // namespace volcrypt::dm
