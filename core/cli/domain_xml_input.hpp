// --domain-xml FILE|-: a whole domain XML given to a command (a libvirt hook's standard
// input, or a departed domain's XML an agent kept), read with a size limit.
#pragma once

#include <string>

#include "command_input.hpp"

namespace volcrypt::cli {

// Throws Error(usage) naming the source when it is empty or too large.
std::string read_domain_xml(const std::string& path, const CommandInput& input);

}  // namespace volcrypt::cli
