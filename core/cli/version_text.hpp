// Human forms of what the engine reports.
#pragma once

#include <cstdint>
#include <string>
#include <volcrypt/types.hpp>

namespace volcrypt::cli {

// libvirt's encoding (major * 1000000 + minor * 1000 + micro) as "9.0.0".
std::string version_text(uint64_t version);
std::string header_text(HeaderKind header);

}  // namespace volcrypt::cli
