// The SDK's contract (volcrypt/plugin_contract.hpp) on descriptors built in memory: the
// rules the loader refuses a plugin for and the conformance kit fails it for.
#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <volcrypt/plugin_contract.hpp>

namespace volcrypt::contract {
namespace {

int32_t probe(const volcrypt_host*, const volcrypt_volume*, char*, size_t, volcrypt_error*) {
  return VOLCRYPT_RANK_NONE;
}
int32_t prepare(const volcrypt_host*, const volcrypt_volume*, const volcrypt_key*,
                const volcrypt_state*, uint32_t, volcrypt_attachment*, volcrypt_error*) {
  return VOLCRYPT_ERROR_NOT_SUPPORTED;
}
int32_t release(const volcrypt_host*, const volcrypt_state*, volcrypt_error*) {
  return VOLCRYPT_OK;
}

const char* const kProviders[] = {"luks", "LuksEncryptor", nullptr};
constexpr volcrypt_plugin_abi_version kAbi{VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR};

volcrypt_plugin good_descriptor() {
  volcrypt_plugin d{};
  d.struct_size = sizeof(d);
  d.abi_major = VOLCRYPT_ABI_MAJOR;
  d.abi_minor = VOLCRYPT_ABI_MINOR;
  d.id = "acme-luks";
  d.version = "1.2.0";
  d.summary = "Acme: one line";
  d.providers = kProviders;
  d.probe = probe;
  d.prepare = prepare;
  d.release = release;
  return d;
}

TEST(PluginContractTest, AcceptsAGoodDescriptor) {
  EXPECT_EQ(descriptor_problem(good_descriptor(), kAbi), std::nullopt);
}

TEST(PluginContractTest, NeedsAbi10sFieldsAndNoMore) {
  volcrypt_plugin d = good_descriptor();
  d.struct_size = kAbi10DescriptorSize;
  EXPECT_EQ(descriptor_problem(d, kAbi), std::nullopt);
  d.struct_size = kAbi10DescriptorSize - 1;
  EXPECT_EQ(descriptor_problem(d, kAbi),
            "struct_size is " + std::to_string(kAbi10DescriptorSize - 1) +
                " bytes but ABI 1.0 needs " + std::to_string(kAbi10DescriptorSize) +
                " (set it to sizeof(volcrypt_plugin))");
}

TEST(PluginContractTest, RefusesAVersionWithWhiteSpaceAndAMultiLineSummary) {
  volcrypt_plugin d = good_descriptor();
  d.version = "1.0 beta";
  EXPECT_EQ(descriptor_problem(d, kAbi), "version '1.0 beta' holds white space");
  d = good_descriptor();
  d.summary = "two\nlines";
  EXPECT_EQ(descriptor_problem(d, kAbi), "the summary is more than one line");
}

TEST(PluginContractTest, RefusesBadProviderLists) {
  volcrypt_plugin d = good_descriptor();
  const char* const twice[] = {"luks", "luks", nullptr};
  d.providers = twice;
  EXPECT_EQ(descriptor_problem(d, kAbi), "provider 'luks' is listed twice");
  const char* const empty_name[] = {"luks", "", nullptr};
  d.providers = empty_name;
  EXPECT_EQ(descriptor_problem(d, kAbi), "provider 1 is an empty name");
  const char* const multi_line[] = {"lu\nks", nullptr};
  d.providers = multi_line;
  EXPECT_EQ(descriptor_problem(d, kAbi), "provider 0 is not one line");
  std::vector<std::string> names;
  for (size_t i = 0; i <= kMaxProviders; ++i) names.push_back("p" + std::to_string(i));
  std::vector<const char*> unterminated;
  for (const auto& name : names) unterminated.push_back(name.c_str());
  unterminated.push_back(nullptr);
  d.providers = unterminated.data();
  EXPECT_EQ(descriptor_problem(d, kAbi),
            "more than 64 providers: is the list missing its terminating NULL?");
}

TEST(PluginContractTest, NamesEveryMissingFunction) {
  volcrypt_plugin d = good_descriptor();
  d.probe = nullptr;
  d.release = nullptr;
  EXPECT_EQ(descriptor_problem(d, kAbi), "missing function(s): probe release");
}

TEST(PluginContractTest, ShowsAnIdWithControlCharactersOnOneLine) {
  EXPECT_EQ(id_problem("bad\nid"), "id 'bad?id' may only contain a-z, 0-9 and '-'");
}

TEST(PluginContractTest, StateKeysAndIdsShareOneGrammar) {
  EXPECT_TRUE(is_valid_state_key("secret-uuid"));
  EXPECT_FALSE(is_valid_state_key("Secret"));
  EXPECT_FALSE(is_valid_state_key(""));
  EXPECT_TRUE(is_valid_id("cryptsetup-luks2"));
  EXPECT_FALSE(is_valid_id("cryptsetup_luks"));
  EXPECT_TRUE(is_valid_provider_name("nova.volume.encryptors.luks.LuksEncryptor"));
}

}  // namespace
}  // namespace volcrypt::contract
