// libvirt-encoded versions as people read them.
#pragma once

#include <cstdint>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

// libvirt's encoding (major * 1000000 + minor * 1000 + micro) as "9.0.0".
std::string version_text(uint64_t version);

}  // namespace volcrypt::cli
