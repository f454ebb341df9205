// Provider names are made canonical in one place: every Nova/os-brick class name maps to
// luks, luks2 or plain before plugins are matched, plugins see only the canonical name,
// and an older plugin that still declares class names serves what it always did.
#include "plugin_host/provider_names.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

// The class names Nova and os-brick have used for each canonical provider.
const std::map<std::string, std::vector<std::string>> kClassNames = {
    {"luks",
     {"LuksEncryptor", "nova.volume.encryptors.luks.LuksEncryptor",
      "os_brick.encryptors.luks.LuksEncryptor"}},
    {"luks2",
     {"Luks2Encryptor", "nova.volume.encryptors.luks.Luks2Encryptor",
      "os_brick.encryptors.luks.Luks2Encryptor"}},
    {"plain",
     {"CryptsetupEncryptor", "nova.volume.encryptors.cryptsetup.CryptsetupEncryptor",
      "os_brick.encryptors.cryptsetup.CryptsetupEncryptor"}},
};

std::vector<std::pair<std::string, std::string>> every_alias() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [canonical, names] : kClassNames) {
    for (const std::string& name : names) out.emplace_back(name, canonical);
  }
  return out;
}

TEST(ProviderNames, EveryNovaAndOsBrickClassNameMapsToItsCanonicalName) {
  for (const auto& [alias, canonical] : every_alias()) {
    EXPECT_EQ(canonical_provider(alias), canonical) << alias;
  }
}

TEST(ProviderNames, CanonicalNamesStayAsTheyAre) {
  for (const char* name : {"luks", "luks2", "plain"}) EXPECT_EQ(canonical_provider(name), name);
}

TEST(ProviderNames, UnknownNamesStayUnknownAndAreComparedExactly) {
  for (const char* name : {"acme-tpm", "", "LUKS", "luksencryptor", "LuksEncryptor ",
                           "nova.volume.encryptors.luks.Luks3Encryptor", "NoOpEncryptor"}) {
    EXPECT_EQ(canonical_provider(name), name) << name;
  }
}

TEST(ProviderNames, APluginDeclaringCanonicalNamesServesEveryAlias) {
  const std::vector<std::string> declared = {"luks", "luks2"};
  for (const auto& [alias, canonical] : every_alias()) {
    EXPECT_EQ(serves_provider(declared, alias), canonical != "plain") << alias;
  }
  EXPECT_FALSE(serves_provider(declared, "acme-tpm"));
}

TEST(ProviderNames, AnOlderPluginDeclaringAClassNameServesTheCanonicalNameAndItsAliases) {
  const std::vector<std::string> declared = {"LuksEncryptor"};
  EXPECT_TRUE(serves_provider(declared, "luks"));
  EXPECT_TRUE(serves_provider(declared, "os_brick.encryptors.luks.LuksEncryptor"));
  EXPECT_FALSE(serves_provider(declared, "luks2"));
  EXPECT_FALSE(serves_provider(declared, "Luks2Encryptor"));
}

TEST(ProviderNames, AnUnknownProviderIsServedOnlyByThePluginsThatDeclareIt) {
  EXPECT_TRUE(serves_provider({"acme-tpm"}, "acme-tpm"));
  EXPECT_FALSE(serves_provider({"luks", "luks2", "plain"}, "acme-tpm"));
}

TEST(ProviderNames, PluginsAreHandedTheCanonicalName) {
  VolumeSpec spec;
  spec.source_path = "/var/lib/nova/vol";
  spec.volume_id = "vol-1";
  for (const auto& [alias, canonical] : every_alias()) {
    spec.provider = alias;
    AbiVolume volume(spec, VOLCRYPT_SOURCE_FILE, HeaderKind::luks1, KeyFacts{});
    EXPECT_STREQ(volume.get()->provider, canonical.c_str()) << alias;
  }
  spec.provider = "acme-tpm";
  EXPECT_STREQ(AbiVolume(spec, VOLCRYPT_SOURCE_FILE, HeaderKind::luks1, KeyFacts{}).get()->provider,
               "acme-tpm");
}

}  // namespace
}  // namespace volcrypt
