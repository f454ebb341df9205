// The check_passphrase service (ABI 1.4) for the volume an attach prepares: its key
// slots read where the volume lives, by libcryptsetup in this process.
#pragma once

#include <volcrypt/types.hpp>

#include "operations/engine_context.hpp"
#include "plugin_host/host_services.hpp"

namespace volcrypt {

// For a file or block device, libcryptsetup reads it in place; for a network volume the
// header area (up to where its data starts) is read with the protocol's library first.
HostServices::PassphraseCheck passphrase_check_for(EngineContext& context,
                                                   const VolumeSpec& volume);

}  // namespace volcrypt
