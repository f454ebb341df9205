// Provider names, made canonical in this one place. Nova and os-brick name encryption
// providers by class (LuksEncryptor, nova.volume.encryptors.luks.LuksEncryptor, ...);
// volcrypt, its config and its plugins use the canonical names luks, luks2 and plain.
// Every name a caller, a deployer or a plugin gives is mapped here before it is matched,
// so an older plugin that still lists class names serves exactly what it did.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace volcrypt {

// "luks", "luks2" or "plain" for one of those or a Nova/os-brick class name for it;
// any other name unchanged (names are compared exactly, as os-brick does).
std::string canonical_provider(std::string_view provider);

// Whether a plugin that declares these provider names serves requested: some declared
// name and requested have the same canonical name.
bool serves_provider(const std::vector<std::string>& declared, std::string_view requested);

}  // namespace volcrypt
