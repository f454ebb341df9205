#include "plugin_host/provider_names.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace volcrypt {

std::string canonical_provider(std::string_view provider) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> aliases = {{
      {"LuksEncryptor", "luks"},
      {"nova.volume.encryptors.luks.LuksEncryptor", "luks"},
      {"os_brick.encryptors.luks.LuksEncryptor", "luks"},
      {"Luks2Encryptor", "luks2"},
      {"nova.volume.encryptors.luks.Luks2Encryptor", "luks2"},
      {"os_brick.encryptors.luks.Luks2Encryptor", "luks2"},
      {"CryptsetupEncryptor", "plain"},
      {"nova.volume.encryptors.cryptsetup.CryptsetupEncryptor", "plain"},
      {"os_brick.encryptors.cryptsetup.CryptsetupEncryptor", "plain"},
  }};
  for (const auto& [alias, canonical] : aliases) {
    if (provider == alias) return std::string(canonical);
  }
  return std::string(provider);
}

bool serves_provider(const std::vector<std::string>& declared, std::string_view requested) {
  const std::string wanted = canonical_provider(requested);
  return std::any_of(declared.begin(), declared.end(),
                     [&](const std::string& name) { return canonical_provider(name) == wanted; });
}

}  // namespace volcrypt
