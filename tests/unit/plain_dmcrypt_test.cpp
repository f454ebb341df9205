// The built plain-dmcrypt plugin, loaded as the core loads it, against a fake host: every
// probe reason, the resolution of plain parameters (defaults, the volume's, the record's
// winning), and what prepare and release do on this machine, whose kernel has no
// device-mapper. Opening real plain mappings is tested in the guest VM (tests/guest).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "plain_parameters.hpp"
#include "plugin_harness.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using namespace plugin_harness;
using test_volumes::read_file;
using test_volumes::ScratchDir;

constexpr const char* kGarbage =
    "plain dm-crypt: a wrong passphrase cannot be detected (no header); it yields garbage";

// The volume and recorded state as the plugin receives them.
dm::PlainParameters resolve(const std::string& cipher, uint32_t key_size_bits,
                            const std::map<std::string, std::string>& previous) {
  VolumeRequest args = volume_at("/dev/loop3", VOLCRYPT_HEADER_OTHER, "plain");
  args.cipher = cipher;
  args.key_size_bits = key_size_bits;
  volcrypt_volume abi = args.abi();
  conformance::StateTable state(previous);
  return dm::resolve_plain_parameters(sdk::Volume::from(abi), sdk::State(state.get()));
}

std::string resolve_error(const std::map<std::string, std::string>& previous,
                          const std::string& cipher = "") {
  try {
    resolve(cipher, 0, previous);
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), VOLCRYPT_ERROR_INVALID);
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

class PlainDmcryptTest : public ::testing::Test {
 protected:
  void SetUp() override { host_.set_device_mapper(true, true); }

  const LoadedPlugin& plugin() { return built_plugin("plain-dmcrypt"); }
  CallOutcome probe_header(volcrypt_header_kind header) {
    return call_probe(plugin().descriptor(), host_, volume_at("/dev/loop3", header, "plain"));
  }

  conformance::FakeHost host_{test::plain_qemu_host(), test::core_attachment_services()};
  ScratchDir dir_;
  volcrypt_attachment attachment_;
};

TEST_F(PlainDmcryptTest, DescribesItselfAndTheProvidersItServes) {
  EXPECT_EQ(plugin().id(), "plain-dmcrypt");
  EXPECT_EQ(plugin().version(), "1.1.0");
  EXPECT_TRUE(plugin().makes_host_device());
  EXPECT_EQ(plugin().providers(), (std::vector<std::string>{"plain"}));
  // `volcrypt plugins` shows the summary: the one thing a user must know about plain mode.
  EXPECT_NE(plugin().summary().find("a wrong passphrase cannot be detected: it yields garbage"),
            std::string::npos)
      << plugin().summary();
}

TEST_F(PlainDmcryptTest, ProbeRanksNoneWithoutDeviceMapperOrDmCrypt) {
  host_.set_device_mapper(false, false);
  CallOutcome no_mapper = probe_header(VOLCRYPT_HEADER_OTHER);
  EXPECT_EQ(no_mapper.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(no_mapper.reason, "the kernel offers no device-mapper");

  host_.set_device_mapper(true, false);
  CallOutcome no_crypt = probe_header(VOLCRYPT_HEADER_OTHER);
  EXPECT_EQ(no_crypt.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(no_crypt.reason, "the kernel has no dm-crypt target");
}

TEST_F(PlainDmcryptTest, ProbeRanksNoneForALuksHeaderSoLuksVolumesAreNeverOpenedAsPlain) {
  for (volcrypt_header_kind header : {VOLCRYPT_HEADER_LUKS1, VOLCRYPT_HEADER_LUKS2}) {
    CallOutcome answer = probe_header(header);
    EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
    EXPECT_EQ(answer.reason, "the volume has a LUKS header; plain mode would ignore it");
  }
}

TEST_F(PlainDmcryptTest, ProbeRanksDataAndBlankVolumesMarginalAndSaysAWrongKeyGoesUnnoticed) {
  for (volcrypt_header_kind header : {VOLCRYPT_HEADER_OTHER, VOLCRYPT_HEADER_BLANK}) {
    CallOutcome answer = probe_header(header);
    EXPECT_EQ(answer.result, VOLCRYPT_RANK_MARGINAL);
    EXPECT_EQ(answer.reason, kGarbage);
  }
}

TEST_F(PlainDmcryptTest, ProbeRanksNoneForAnUnreadHeader) {
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_UNKNOWN);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the volume's header could not be read");
}

TEST(PlainParameters, DefaultToWhatOsBrickVolumesWereMadeWithBeforeCryptsetup27) {
  dm::PlainParameters p = resolve("", 0, {});
  EXPECT_EQ(p.cipher, "aes-cbc-essiv:sha256");
  EXPECT_EQ(p.key_size_bits, 256u);
  EXPECT_EQ(p.hash, "ripemd160");
  EXPECT_EQ(p.offset, 0u);
  EXPECT_EQ(p.skip, 0u);
  EXPECT_EQ(p.sector_size, 512u);
  EXPECT_EQ(p.cipher_name(), "aes");
  EXPECT_EQ(p.cipher_mode(), "cbc-essiv:sha256");
}

TEST(PlainParameters, TakeTheVolumesCipherAndKeySize) {
  dm::PlainParameters p = resolve("aes-xts-plain64", 512, {});
  EXPECT_EQ(p.cipher, "aes-xts-plain64");
  EXPECT_EQ(p.key_size_bits, 512u);
  EXPECT_EQ(p.hash, "ripemd160");
  EXPECT_EQ(p.sector_size, 512u);
}

TEST(PlainParameters, TakeTheRecordedOnesOverTheVolumesAndTheDefaults) {
  const std::map<std::string, std::string> recorded = {{"mapping", "crypt-loop3"},
                                                       {"device", "/dev/loop3"},
                                                       {"cipher", "twofish-cbc-plain"},
                                                       {"key-size", "128"},
                                                       {"hash", "sha256"},
                                                       {"offset", "2048"},
                                                       {"skip", "16"},
                                                       {"sector-size", "4096"}};
  dm::PlainParameters p = resolve("aes-xts-plain64", 512, recorded);
  EXPECT_EQ(p.cipher, "twofish-cbc-plain");
  EXPECT_EQ(p.key_size_bits, 128u);
  EXPECT_EQ(p.hash, "sha256");
  EXPECT_EQ(p.offset, 2048u);
  EXPECT_EQ(p.skip, 16u);
  EXPECT_EQ(p.sector_size, 4096u);
}

TEST(PlainParameters, RecordEveryParameterSoALaterAttachResolvesTheSame) {
  dm::PlainParameters first = resolve("serpent-xts-plain64", 512, {});
  std::map<std::string, std::string> state;
  for (const auto& [key, value] : dm::plain_parameters_state(first)) state[key] = value;
  EXPECT_EQ(state, (std::map<std::string, std::string>{{"cipher", "serpent-xts-plain64"},
                                                       {"key-size", "512"},
                                                       {"hash", "ripemd160"},
                                                       {"offset", "0"},
                                                       {"skip", "0"},
                                                       {"sector-size", "512"}}));
  // A later attach names no cipher (or another one): the record decides.
  EXPECT_EQ(resolve("", 0, state), first);
  EXPECT_EQ(resolve("aes-cbc-essiv:sha256", 256, state), first);
}

TEST(PlainParameters, RefuseMalformedValuesNamingTheParameter) {
  EXPECT_EQ(resolve_error({{"key-size", "abc"}}),
            "plain dm-crypt parameter key-size='abc' is not a whole number");
  EXPECT_EQ(resolve_error({{"key-size", "100"}}),
            "plain dm-crypt parameter key-size='100' is not a key size in whole bytes (8 to 4096 "
            "bits)");
  EXPECT_EQ(resolve_error({{"offset", "-1"}}),
            "plain dm-crypt parameter offset='-1' is not a whole number");
  EXPECT_EQ(resolve_error({{"sector-size", "1000"}}),
            "plain dm-crypt parameter sector-size='1000' is not 512, 1024, 2048 or 4096");
  EXPECT_EQ(resolve_error({{"hash", ""}}), "plain dm-crypt parameter hash='' is empty");
  EXPECT_EQ(resolve_error({}, "aes"),
            "plain dm-crypt parameter cipher='aes' needs a cipher and a mode, e.g. "
            "aes-cbc-essiv:sha256");
}

// --- prepare and release on this machine: no device-mapper in its kernel -------------

TEST_F(PlainDmcryptTest, PrepareSaysDeviceMapperIsUnavailableAndLeavesTheVolumeAsItWas) {
  const std::string path = dir_.file("plain.img");
  std::string data(1024 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 29 + 3);
  test_volumes::write_file(path, data);
  const std::vector<uint8_t> before = read_file(path);

  CallOutcome result =
      call_prepare(plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_OTHER, "plain"),
                   "the passphrase", {}, VOLCRYPT_PREPARE_LIVE, attachment_);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_FAILED);
  EXPECT_EQ(result.error,
            "cannot open mapping crypt-plain.img for volume vol-1: device-mapper is unavailable "
            "(the running kernel has no dm-mod; load dm-mod and dm-crypt)");
  EXPECT_EQ(read_file(path), before);
  EXPECT_TRUE(host_.secrets.empty());
  EXPECT_FALSE(attachment_.source_kind.has_value());
  EXPECT_TRUE(attachment_.state.empty());
  expect_not_logged(host_, "the passphrase");
}

TEST_F(PlainDmcryptTest, PrepareRefusesAVolumeWithALuksHeaderAndLeavesItUntouched) {
  const std::string path = dir_.file("luks.img");
  test_volumes::make_luks_volume(path, test_volumes::LuksVersion::luks1, "passphrase");
  const std::vector<uint8_t> before = read_file(path);

  CallOutcome result =
      call_prepare(plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_LUKS1, "plain"),
                   "passphrase", {}, VOLCRYPT_PREPARE_LIVE, attachment_);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(result.error, "volume '" + path +
                              "' has a LUKS header; plain mode would ignore it, so it is left "
                              "untouched");
  EXPECT_EQ(read_file(path), before);
}

TEST_F(PlainDmcryptTest, PrepareRefusesAMalformedRecordBeforeOpeningAnything) {
  CallOutcome result = call_prepare(plugin().descriptor(), host_,
                                    volume_at("/dev/loop3", VOLCRYPT_HEADER_OTHER, "plain"),
                                    "passphrase", {{"mapping", "crypt-loop3"}, {"key-size", "big"}},
                                    VOLCRYPT_PREPARE_REOPEN, attachment_);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(result.error, "plain dm-crypt parameter key-size='big' is not a whole number");
}

TEST_F(PlainDmcryptTest, ReleaseOfAMappingThatCannotExistHereSucceeds) {
  CallOutcome result = call_release(
      plugin().descriptor(), host_,
      {{"mapping", "crypt-loop3"}, {"device", "/dev/loop3"}, {"cipher", "aes-cbc-essiv:sha256"}});
  EXPECT_EQ(result.result, VOLCRYPT_OK) << result.error;
  EXPECT_EQ(host_.log_lines.back(), "[0] mapping crypt-loop3 is already closed");
}

// Extend (ABI 1.2): a mapping that cannot be open here has nothing to grow; it opens at
// the volume's new size, and the plugin says so with a disk size of 0.
TEST_F(PlainDmcryptTest, ResizeOfAMappingThatIsNotOpenChangesNothingAndSaysSo) {
  uint64_t disk_size = 1;
  CallOutcome result =
      call_resize(plugin().descriptor(), host_,
                  {{"mapping", "crypt-loop3"}, {"device", "/dev/loop3"}}, 64 << 20, disk_size);
  EXPECT_EQ(result.result, VOLCRYPT_OK) << result.error;
  EXPECT_EQ(disk_size, 0u);
  EXPECT_EQ(host_.log_lines.back(),
            "[0] mapping crypt-loop3 is not open; it opens at the volume's new size");
}

TEST_F(PlainDmcryptTest, ResizeRefusesASizeOfPartSectors) {
  uint64_t disk_size = 1;
  CallOutcome result = call_resize(plugin().descriptor(), host_, {{"mapping", "crypt-loop3"}},
                                   (64 << 20) + 100, disk_size);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(result.error, "a volume size of 67108964 bytes is not whole 512-byte sectors");
}

}  // namespace
}  // namespace volcrypt
