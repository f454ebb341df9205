// Disks attached before volcrypt with a host dm-crypt mapping as their source, as
// os-brick attached them (/dev/mapper/NAME, no volcrypt record): whether such a disk is a
// dm plugin's to release (its claims_disk), told apart by the mapping's type where the
// kernel can still say it.
#pragma once

#include <string_view>
#include <volcrypt/plugin.hpp>

namespace volcrypt::dm {

struct MappedDiskRule {
  // Whether a mapping of this libcryptsetup type ("LUKS1", "LUKS2", "PLAIN") is ours.
  bool (*owns_type)(std::string_view type);
  // How sure the claim is when the mapping cannot be looked at (no device-mapper here,
  // or it is already closed): then any dm plugin's release would do.
  sdk::Rank when_unknown;
  std::string_view reason;  // shown to the user, e.g. "host dm-crypt (...)"
};

// The claim on a disk whose source is /dev/mapper/NAME: state "mapping" = NAME, ranked
// primary when the open mapping's type is ours, rule.when_unknown when the type cannot be
// told, and no claim for any other disk, a mapping of another type, or a device-mapper
// device that is not dm-crypt (e.g. LVM).
sdk::DiskClaim claim_mapped_disk(const sdk::Host& host, const sdk::Disk& disk,
                                 const MappedDiskRule& rule);

}  // namespace volcrypt::dm
