// Rekey: a LUKS volume's passphrase is replaced while the guest runs. The key slots change,
// the volume key does not, so whoever decrypts the volume now (QEMU, a dm-crypt mapping)
// keeps decrypting with the key it holds. Order: the current passphrase is checked; the
// new one goes into a free slot and is checked; the libvirt secret the record names gets
// it; the old slots go. Under the domain's and the volume's locks, with an intent.
#pragma once

#include "operations/engine_context.hpp"

namespace volcrypt {

RekeyResult rekey_volume(EngineContext& context, const RekeyRequest& request, const VolumeKey& key,
                         const VolumeKey& new_key);

}  // namespace volcrypt
