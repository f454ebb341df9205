// A batch keeps the one-attachment rule across its own requests, as the host's disks
// keep it (attach_volume.hpp): one volume (the same volume id, or the same file or block
// device under any spelling) in two requests needs shareable in both. Checked before
// anything runs: a --config batch defines its volumes all at once, so none of them is on
// the host yet when the others are checked there.
#pragma once

#include <vector>
#include <volcrypt/types.hpp>

namespace volcrypt {

// Throws Error(busy) naming both requests ("batch request N") and the volume.
void require_batch_attaches_once(const std::vector<AttachRequest>& requests);

}  // namespace volcrypt
