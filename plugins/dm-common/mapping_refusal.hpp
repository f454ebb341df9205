// Why a dm-crypt mapping cannot serve a volume on this host: the one check both
// dm-crypt plugins rank by.
#pragma once

#include <string>
#include <volcrypt/plugin.hpp>

namespace volcrypt::dm {

// Empty when the kernel can map the volume; otherwise why not, in one line: no
// device-mapper or dm-crypt in the kernel, or a network volume (QEMU reaches it itself,
// so there is no host block device to map).
std::string mapping_refusal(const sdk::HostFacts& facts, const sdk::Volume& volume);

}  // namespace volcrypt::dm
