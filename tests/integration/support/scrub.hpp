// Puts a domain back to "this volume was never attached" with libvirt's API and nothing
// of volcrypt's: after a kill point that volcrypt failed to repair, the next kill point
// must still start from a clean host, so that one failure does not hide the others.
#pragma once

#include "volume_consistency.hpp"

namespace volcrypt::test {

// Removes the disk at the target (live and persistent), the domain's volcrypt records,
// the volume's secrets and any intent file naming the domain.
void scrub(virConnectPtr connection, const VolumeAt& volume);

}  // namespace volcrypt::test
