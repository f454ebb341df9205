// Nova and os-brick name encryption providers by class; the deployer's config names
// them luks, luks2 and plain. A pin for one of those also covers its class names.
#pragma once

#include <string>
#include <string_view>

namespace volcrypt {

// "luks", "luks2" or "plain" for a Nova/os-brick class name; any other name unchanged.
std::string canonical_provider(std::string_view provider);

}  // namespace volcrypt
