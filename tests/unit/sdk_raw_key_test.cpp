// A C++ plugin reads the raw key of `--key-file` (ABI 1.1's raw_data) as volume.raw_key in
// prepare, beside the hex passphrase it gets as key; a passphrase has no raw key, and a
// 1.0 host's key has no such field to read.
#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <volcrypt/plugin.hpp>

namespace volcrypt {
namespace {

// Keeps what prepare saw.
struct Seen {
  std::string key;
  std::vector<uint8_t> raw_key;
  bool hex_of_raw_key = false;
};
Seen seen;

class KeyReader final : public sdk::Plugin {
 public:
  sdk::ProbeResult probe(const sdk::Host&, const sdk::Volume& volume) override {
    seen.raw_key.assign(volume.raw_key.begin(), volume.raw_key.end());
    return sdk::rank(sdk::Rank::none, "test");
  }
  void prepare(const sdk::Host&, const sdk::Volume& volume, std::span<const uint8_t> key,
               const sdk::State&, sdk::PrepareFlags, sdk::Attachment&) override {
    seen.key.assign(key.begin(), key.end());
    seen.raw_key.assign(volume.raw_key.begin(), volume.raw_key.end());
    seen.hex_of_raw_key = volume.key.hex_of_raw_key;
  }
  void release(const sdk::Host&, const sdk::State&) override {}
};

int32_t prepare_with(const volcrypt_host& host, const volcrypt_key& key) {
  seen = {};
  volcrypt_volume volume{};
  volume.struct_size = sizeof(volume);
  char message[128] = {};
  volcrypt_error error{message, sizeof(message)};
  return sdk::detail::prepare<KeyReader>(&host, &volume, &key, nullptr, VOLCRYPT_PREPARE_LIVE,
                                         nullptr, &error);
}

volcrypt_host host_of_minor(uint32_t minor) {
  volcrypt_host host{};
  host.struct_size = sizeof(host);
  host.abi_major = VOLCRYPT_ABI_MAJOR;
  host.abi_minor = minor;
  return host;
}

const std::vector<uint8_t> kRawKey = {0x00, 0xff, 0x10, 0xab};
const std::string kHex = "00ff10ab";

volcrypt_key key_file_key() {
  volcrypt_key key{};
  key.data = reinterpret_cast<const uint8_t*>(kHex.data());
  key.size = kHex.size();
  key.facts = VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8 | VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY;
  key.raw_data = kRawKey.data();
  key.raw_size = kRawKey.size();
  return key;
}

TEST(SdkRawKey, PrepareReadsTheRawKeyBesideItsHex) {
  ASSERT_EQ(prepare_with(host_of_minor(VOLCRYPT_ABI_MINOR), key_file_key()), VOLCRYPT_OK);
  EXPECT_EQ(seen.key, kHex);
  EXPECT_EQ(seen.raw_key, kRawKey);
  EXPECT_TRUE(seen.hex_of_raw_key);
}

TEST(SdkRawKey, APassphraseHasNoRawKey) {
  const std::string passphrase = "correct horse";
  volcrypt_key key{};
  key.data = reinterpret_cast<const uint8_t*>(passphrase.data());
  key.size = passphrase.size();
  key.facts = VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8;
  ASSERT_EQ(prepare_with(host_of_minor(VOLCRYPT_ABI_MINOR), key), VOLCRYPT_OK);
  EXPECT_EQ(seen.key, passphrase);
  EXPECT_TRUE(seen.raw_key.empty());
}

TEST(SdkRawKey, AOneZeroHostsKeyHasNoRawKeyToRead) {
  // A 1.0 host's volcrypt_key ends after size: what lies beyond is never read.
  ASSERT_EQ(prepare_with(host_of_minor(0), key_file_key()), VOLCRYPT_OK);
  EXPECT_EQ(seen.key, kHex);
  EXPECT_TRUE(seen.raw_key.empty());
}

TEST(SdkRawKey, ProbeNeverSeesAKey) {
  volcrypt_host host = host_of_minor(VOLCRYPT_ABI_MINOR);
  volcrypt_volume volume{};
  volume.struct_size = sizeof(volume);
  volume.key_facts = VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY;
  seen.raw_key = {1};
  char reason[64] = {};
  char message[64] = {};
  volcrypt_error error{message, sizeof(message)};
  EXPECT_EQ(sdk::detail::probe<KeyReader>(&host, &volume, reason, sizeof(reason), &error), 0);
  EXPECT_TRUE(seen.raw_key.empty());
}

}  // namespace
}  // namespace volcrypt
