// The key a caller hands over (volcrypt_key_input): copied into locked memory, or read from
// its descriptor, before the call does anything else.
#pragma once

#include <volcrypt/volcrypt.h>

#include <volcrypt/volume_key.hpp>

namespace volcrypt::capi {

// Empty for NULL or VOLCRYPT_KEY_INPUT_NONE. Throws Error(usage) for an unknown kind, a struct
// too small, an empty or oversized key, or a descriptor that cannot be read.
VolumeKey caller_key(const volcrypt_key_input* key);

}  // namespace volcrypt::capi
