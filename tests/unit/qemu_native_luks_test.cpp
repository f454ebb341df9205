// The built qemu-native-luks plugin, loaded as the core loads it, against a fake host:
// each probe reason, formatting a blank volume, checking a key, refusing data, and
// releasing the secret.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fake_host.hpp"
#include "plugin_harness.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using conformance::version_number;
using namespace test_volumes;

constexpr std::string_view kMagic = "LUKS\xba\xbe";

using namespace plugin_harness;

class QemuNativeLuksTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto file = std::filesystem::path(VOLCRYPT_BUILD_PLUGIN_DIR) / "qemu-native-luks.so";
    LoadOutcome outcome = load_plugin_file(file);
    ASSERT_NE(outcome.plugin, nullptr) << outcome.refusal;
    // Kept for the whole process: the core never unloads a plugin either.
    plugin_ = new std::shared_ptr<LoadedPlugin>(outcome.plugin);
  }

  const volcrypt_plugin& plugin() const { return (*plugin_)->descriptor(); }

  CallOutcome probe(const VolumeRequest& args) { return call_probe(plugin(), host_, args); }

  CallOutcome prepare(const VolumeRequest& args, std::string_view key, uint32_t flags,
                      volcrypt_attachment& attachment) {
    return call_prepare(plugin(), host_, args, key, {}, flags, attachment);
  }

  CallOutcome release(const std::map<std::string, std::string>& state) {
    return call_release(plugin(), host_, state);
  }

  static std::vector<uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

  static std::shared_ptr<LoadedPlugin>* plugin_;
  FakeHost host_{test::plain_qemu_host(), test::core_attachment_services()};
  ScratchDir dir_;
};

std::shared_ptr<LoadedPlugin>* QemuNativeLuksTest::plugin_ = nullptr;

TEST_F(QemuNativeLuksTest, DescribesItselfAndTheProvidersItServes) {
  EXPECT_STREQ(plugin().id, "qemu-native-luks");
  EXPECT_STREQ(plugin().version, "1.0.0");
  EXPECT_EQ((*plugin_)->providers(), (std::vector<std::string>{"luks"}));
}

// A network volume: QEMU's engine reads LUKS1 on any protocol; a blank iSCSI or NBD
// volume is never formatted over the network; a --config attach has the host check the
// passphrase.
TEST_F(QemuNativeLuksTest, ServesLuks1OnANetworkVolumeAndFormatsNoBlankIscsiOrNbdVolume) {
  EXPECT_EQ(probe(network_volume("rbd", "rbd:volumes/img", VOLCRYPT_HEADER_LUKS1)).result,
            VOLCRYPT_RANK_PRIMARY);
  const CallOutcome nbd = probe(network_volume("nbd", "nbd://h/e", VOLCRYPT_HEADER_BLANK));
  EXPECT_EQ(nbd.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(nbd.reason,
            "blank nbd volume: a network volume is never formatted over the network; format it "
            "LUKS on the storage side first");
  const CallOutcome iscsi =
      probe(network_volume("iscsi", "iscsi://h/iqn.2026-12.org.x:t/1", VOLCRYPT_HEADER_BLANK));
  EXPECT_EQ(iscsi.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(iscsi.reason,
            "blank iscsi volume: a network volume is never formatted over the network; format "
            "it LUKS on the storage side first");
  volcrypt_attachment refused;
  const CallOutcome blank_nbd = prepare(network_volume("nbd", "nbd://h/e", VOLCRYPT_HEADER_BLANK),
                                        "right", VOLCRYPT_PREPARE_LIVE, refused);
  EXPECT_EQ(blank_nbd.result, VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_TRUE(host_.format_calls().empty());
  EXPECT_TRUE(host_.secrets.empty());

  host_.set_opening_passphrase("right");
  volcrypt_attachment attachment;
  const VolumeRequest image = network_volume("rbd", "rbd:volumes/img", VOLCRYPT_HEADER_LUKS1);
  CallOutcome r = prepare(image, "wrong", VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(r.result, VOLCRYPT_ERROR_WRONG_KEY);
  EXPECT_TRUE(host_.secrets.empty());
  r = prepare(image, "right", VOLCRYPT_PREPARE_CONFIG, attachment);
  ASSERT_EQ(r.result, VOLCRYPT_OK) << r.error;
  EXPECT_EQ(host_.passphrase_checks(), 2);
  EXPECT_EQ(attachment.source_kind, VOLCRYPT_SOURCE_NETWORK);
  EXPECT_EQ(attachment.source_path, "rbd:volumes/img");
  EXPECT_EQ(attachment.encryption->format, "luks");
}

// A blank RBD image: the host formats it LUKS1 with librbd's own format, which QEMU's
// LUKS driver opens; live or --config alike.
TEST_F(QemuNativeLuksTest, HasTheHostFormatABlankRbdImageLuks1) {
  const VolumeRequest image = network_volume("rbd", "rbd:volumes/img", VOLCRYPT_HEADER_BLANK);
  const CallOutcome ranked = probe(image);
  EXPECT_EQ(ranked.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(ranked.reason,
            "blank RBD image: librbd will format it LUKS1, then QEMU decrypts it natively");

  volcrypt_attachment attachment;
  const CallOutcome r = prepare(image, "right", VOLCRYPT_PREPARE_LIVE, attachment);
  ASSERT_EQ(r.result, VOLCRYPT_OK) << r.error;
  ASSERT_EQ(host_.format_calls().size(), 1u);
  EXPECT_EQ(host_.format_calls()[0].format, "luks");
  EXPECT_EQ(host_.format_calls()[0].cipher, "");
  EXPECT_EQ(host_.format_calls()[0].key_size_bits, 0u);
  EXPECT_EQ(host_.format_calls()[0].passphrase, "right");
  EXPECT_EQ(attachment.source_kind, VOLCRYPT_SOURCE_NETWORK);
  EXPECT_EQ(attachment.encryption->format, "luks");
  EXPECT_EQ(attachment.state.at("formatted"), "yes");

  host_.without_format_volume();
  EXPECT_EQ(probe(image).reason,
            "blank RBD image: this host cannot format one (no format_volume, ABI 1.4)");
}

TEST_F(QemuNativeLuksTest, ABlankRbdImageTheHostWillNotFormatLeavesNoSecret) {
  host_.answer_format(VOLCRYPT_ERROR_INVALID,
                      "librbd formats aes-xts-plain64 with a 256- or 512-bit key only; volume "
                      "'rbd:volumes/img' asks for serpent-xts-plain64 with a 512-bit key; it was "
                      "left as it is");
  VolumeRequest image = network_volume("rbd", "rbd:volumes/img", VOLCRYPT_HEADER_BLANK);
  image.cipher = "serpent-xts-plain64";
  volcrypt_attachment attachment;
  const CallOutcome r = prepare(image, "right", VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(r.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(host_.format_calls().at(0).cipher, "serpent-xts-plain64");
  EXPECT_EQ(host_.define_calls(), 0);
  EXPECT_FALSE(attachment.source_kind.has_value());
}

TEST_F(QemuNativeLuksTest, ProbeRefusesAHypervisorThatIsNotQemu) {
  host_.set_hypervisor("TEST", version_number(0, 0, 2));
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS1));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "hypervisor is TEST, not QEMU");
}

TEST_F(QemuNativeLuksTest, ProbeRefusesQemuOlderThanTwoSix) {
  host_.set_hypervisor("QEMU", version_number(2, 5, 0));
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS1));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "QEMU 2.5.0 is older than 2.6.0, the first to decrypt LUKS");
}

TEST_F(QemuNativeLuksTest, ProbeRefusesLibvirtOlderThanTwoTwo) {
  host_.set_libvirt_version(version_number(2, 1, 0));
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS1));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason,
            "libvirt 2.1.0 is older than 2.2.0, the first to give QEMU a LUKS secret");
}

TEST_F(QemuNativeLuksTest, ProbeRefusesLuks2) {
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS2));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "QEMU decrypts LUKS1 only; this volume is LUKS2");
}

TEST_F(QemuNativeLuksTest, ProbeRefusesDataThatIsNotLuks) {
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_OTHER));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the volume holds data that is not LUKS");
}

TEST_F(QemuNativeLuksTest, ProbeRefusesAnUnreadHeader) {
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_UNKNOWN));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the volume's header could not be read");
}

// QEMU refuses a secret that is not UTF-8: ranking must fall back to a host-side plugin.
TEST_F(QemuNativeLuksTest, ProbeRefusesAPassphraseThatIsNotUtf8) {
  VolumeRequest args = volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS1);
  args.key_facts = VOLCRYPT_KEY_FACT_KNOWN;  // known, and not UTF-8
  CallOutcome answer = probe(args);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason,
            "the passphrase is not valid UTF-8 text, which QEMU refuses in a secret");
}

TEST_F(QemuNativeLuksTest, ProbeRanksAUtf8OrUnknownKeyAsBefore) {
  VolumeRequest args = volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS1);
  for (uint32_t facts :
       {0u, VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8,
        VOLCRYPT_KEY_FACT_KNOWN | VOLCRYPT_KEY_FACT_UTF8 | VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY,
        // Without KNOWN the other bits mean nothing.
        VOLCRYPT_KEY_FACT_HEX_OF_RAW_KEY}) {
    args.key_facts = facts;
    EXPECT_EQ(probe(args).result, VOLCRYPT_RANK_PRIMARY) << "key facts " << facts;
  }
}

TEST_F(QemuNativeLuksTest, ProbeRanksLuks1PrimaryOnThisHost) {
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS1));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason, "QEMU 7.2.0 decrypts LUKS1 natively (libvirt 9.0.0)");
}

TEST_F(QemuNativeLuksTest, ProbeAcceptsTheFirstVersionsThatDecryptLuks) {
  host_.set_hypervisor("QEMU", version_number(2, 6, 0));
  host_.set_libvirt_version(version_number(2, 2, 0));
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_LUKS1));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason, "QEMU 2.6.0 decrypts LUKS1 natively (libvirt 2.2.0)");
}

TEST_F(QemuNativeLuksTest, ProbeRanksABlankVolumePrimary) {
  CallOutcome answer = probe(volume_at(dir_.file("v"), VOLCRYPT_HEADER_BLANK));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason, "blank volume: will be formatted LUKS1, then QEMU decrypts it natively");
}

TEST_F(QemuNativeLuksTest, PrepareFormatsABlankVolumeAsLuks1AndDefinesItsSecret) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);
  const std::string key = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_BLANK), key,
                               VOLCRYPT_PREPARE_LIVE | VOLCRYPT_PREPARE_CONFIG, attachment);
  ASSERT_EQ(result.result, VOLCRYPT_OK) << result.error;

  std::vector<uint8_t> header = read_file(path);
  ASSERT_GE(header.size(), 8u);
  EXPECT_EQ(std::string_view(reinterpret_cast<const char*>(header.data()), 6), kMagic);
  EXPECT_EQ(header[6], 0);
  EXPECT_EQ(header[7], 1);  // big-endian version 1
  LuksDescription luks = describe_luks(path);
  EXPECT_EQ(luks.type, "LUKS1");
  EXPECT_EQ(luks.cipher, "aes-xts-plain64");
  EXPECT_EQ(luks.key_bits, 512);
  // A fixed PBKDF2 count, not a CPU benchmark: the same cost on every host.
  EXPECT_EQ(luks.slot0_iterations, 600000u);
  EXPECT_TRUE(luks_passphrase_opens(path, key));

  ASSERT_EQ(host_.secrets.size(), 1u);
  const FakeHost::Secret& secret = host_.secrets.at("vol-1");
  EXPECT_EQ(secret.value, bytes_of(key));

  ASSERT_TRUE(attachment.source_kind.has_value());
  EXPECT_EQ(*attachment.source_kind, VOLCRYPT_SOURCE_FILE);
  EXPECT_EQ(attachment.source_path, path);
  ASSERT_TRUE(attachment.encryption.has_value());
  EXPECT_EQ(attachment.encryption->format, "luks");
  EXPECT_EQ(attachment.encryption->secret_uuid, secret.uuid);
  EXPECT_EQ(attachment.state, (std::map<std::string, std::string>{{"formatted", "yes"},
                                                                  {"secret-uuid", secret.uuid}}));
  for (const std::string& line : host_.log_lines) {
    EXPECT_EQ(line.find(key), std::string::npos) << "the key leaked into the log: " << line;
  }
}

TEST_F(QemuNativeLuksTest, PrepareFormatsWithTheRequestedCipherAndKeySize) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);
  volcrypt_attachment attachment;

  VolumeRequest args = volume_at(path, VOLCRYPT_HEADER_BLANK);
  args.cipher = "aes-cbc-essiv:sha256";
  args.key_size_bits = 256;
  CallOutcome result = prepare(args, "passphrase", VOLCRYPT_PREPARE_CONFIG, attachment);
  ASSERT_EQ(result.result, VOLCRYPT_OK) << result.error;
  LuksDescription luks = describe_luks(path);
  EXPECT_EQ(luks.type, "LUKS1");
  EXPECT_EQ(luks.cipher, "aes-cbc-essiv:sha256");
  EXPECT_EQ(luks.key_bits, 256);
}

TEST_F(QemuNativeLuksTest, PrepareRefusesACipherWithoutAMode) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);
  volcrypt_attachment attachment;

  VolumeRequest args = volume_at(path, VOLCRYPT_HEADER_BLANK);
  args.cipher = "aes";
  CallOutcome result = prepare(args, "passphrase", VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(result.error, "cipher 'aes' needs a cipher and a mode, e.g. aes-xts-plain64");
  EXPECT_EQ(read_file(path), std::vector<uint8_t>(8 * 1024 * 1024, 0));
  EXPECT_TRUE(host_.secrets.empty());
}

TEST_F(QemuNativeLuksTest, PrepareRefusesABlankVolumeTooSmallForLuks1AndLeavesItAsItWas) {
  const std::string path = dir_.file("tiny.img");
  make_blank_file(path, 1024 * 1024);
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_BLANK), "passphrase",
                               VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(result.error, "volume '" + path +
                              "' is too small for LUKS1: it holds 1048576 bytes and the LUKS1 "
                              "header alone takes 2097152");
  // libcryptsetup grew the file while formatting; the plugin put it back.
  EXPECT_EQ(read_file(path), std::vector<uint8_t>(1024 * 1024, 0));
  EXPECT_TRUE(host_.secrets.empty());
}

TEST_F(QemuNativeLuksTest, PrepareRefusesAKeySizeLuks1VolumesHereDoNotTake) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);
  VolumeRequest args = volume_at(path, VOLCRYPT_HEADER_BLANK);
  args.key_size_bits = 1024;
  volcrypt_attachment attachment;

  CallOutcome result = prepare(args, "passphrase", VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(result.error, "a 1024-bit key is more than LUKS1 volumes here take (512 bits at most)");
  EXPECT_EQ(read_file(path), std::vector<uint8_t>(8 * 1024 * 1024, 0));
}

TEST_F(QemuNativeLuksTest, PrepareRefusesAWrongKeyOnAConfigAttachAndDefinesNoSecret) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "the right passphrase");
  host_.set_opening_passphrase("the right passphrase");
  const std::vector<uint8_t> before = read_file(path);
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "a wrong passphrase",
                               VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_WRONG_KEY);
  EXPECT_EQ(result.error, "the passphrase is wrong for volume vol-1 (no key slot opens)");
  EXPECT_EQ(host_.passphrase_checks(), 1) << "the plugin checks through the host's service";
  EXPECT_TRUE(host_.secrets.empty());
  EXPECT_EQ(host_.define_calls(), 0);
  EXPECT_FALSE(attachment.encryption.has_value());
  EXPECT_EQ(read_file(path), before);
}

TEST_F(QemuNativeLuksTest, PrepareAcceptsTheRightKeyOnAConfigAttach) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "the right passphrase");
  host_.set_opening_passphrase("the right passphrase");
  const std::vector<uint8_t> before = read_file(path);
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "the right passphrase",
                               VOLCRYPT_PREPARE_CONFIG, attachment);
  ASSERT_EQ(result.result, VOLCRYPT_OK) << result.error;
  ASSERT_EQ(host_.secrets.size(), 1u);
  EXPECT_EQ(host_.secrets.at("vol-1").value, bytes_of("the right passphrase"));
  EXPECT_EQ(attachment.state,
            (std::map<std::string, std::string>{{"secret-uuid", host_.secrets.at("vol-1").uuid}}));
  EXPECT_EQ(read_file(path), before) << "an existing LUKS1 volume must not be rewritten";
}

TEST_F(QemuNativeLuksTest, PrepareLeavesTheKeyCheckToQemuOnALiveAttach) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "the right passphrase");
  host_.set_opening_passphrase("the right passphrase");
  volcrypt_attachment attachment;

  // QEMU checks the passphrase as it opens the volume; the core reports its refusal.
  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "a wrong passphrase",
                               VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_OK) << result.error;
  EXPECT_EQ(host_.secrets.size(), 1u);
}

TEST_F(QemuNativeLuksTest, PrepareRefusesDataThatIsNotLuksAndLeavesItUntouched) {
  const std::string path = dir_.file("data.img");
  std::string data(1024 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31 + 7);
  write_file(path, data);
  const std::vector<uint8_t> before = read_file(path);
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_OTHER), "passphrase",
                               VOLCRYPT_PREPARE_LIVE | VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(result.error,
            "volume '" + path + "' holds data that is not LUKS; refusing to touch it");
  EXPECT_EQ(read_file(path), before);
  EXPECT_TRUE(host_.secrets.empty());
}

TEST_F(QemuNativeLuksTest, PrepareRefusesToFormatAVolumeWrittenAfterTheHostLooked) {
  const std::string path = dir_.file("late.img");
  make_blank_file(path, 8 * 1024 * 1024);
  std::vector<uint8_t> before = read_file(path);
  before[3 * 1024 * 1024] = 0x42;  // data deep inside the first 4 MiB
  write_file(path, std::string_view(reinterpret_cast<const char*>(before.data()), before.size()));
  volcrypt_attachment attachment;

  // The host read the header as blank; by the time of prepare it holds data.
  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_BLANK), "passphrase",
                               VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(result.error, "volume '" + path + "' is no longer blank; refusing to format it");
  EXPECT_EQ(read_file(path), before);
  EXPECT_TRUE(host_.secrets.empty());
}

TEST_F(QemuNativeLuksTest, PrepareRefusesLuks2AsNotSupported) {
  const std::string path = dir_.file("luks2.img");
  make_luks_volume(path, LuksVersion::luks2, "passphrase");
  host_.set_opening_passphrase("passphrase");
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_LUKS2), "passphrase",
                               VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(result.error, "QEMU decrypts LUKS1 only; volume '" + path + "' is LUKS2");
  EXPECT_TRUE(host_.secrets.empty());
}

TEST_F(QemuNativeLuksTest, PrepareReusesTheVolumesSecretInsteadOfDuplicatingIt) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "passphrase");
  host_.set_opening_passphrase("passphrase");
  volcrypt_attachment first;
  volcrypt_attachment second;

  ASSERT_EQ(
      prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "passphrase", VOLCRYPT_PREPARE_LIVE, first)
          .result,
      VOLCRYPT_OK);
  ASSERT_EQ(
      prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "passphrase", VOLCRYPT_PREPARE_CONFIG, second)
          .result,
      VOLCRYPT_OK);
  ASSERT_EQ(host_.secrets.size(), 1u);
  const std::string uuid = host_.secrets.at("vol-1").uuid;
  EXPECT_EQ(first.state.at("secret-uuid"), uuid);
  EXPECT_EQ(second.state.at("secret-uuid"), uuid);
}

TEST_F(QemuNativeLuksTest, PrepareUndefinesItsNewSecretWhenTheHostRefusesTheDisk) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "passphrase");
  host_.set_opening_passphrase("passphrase");
  host_.refuse_disk_source(true);
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "passphrase",
                               VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  // A 1.1 host says why; the SDK passes its words on.
  EXPECT_EQ(result.error, "fake host: the disk source is refused for this test");
  EXPECT_EQ(host_.define_calls(), 1);
  EXPECT_TRUE(host_.secrets.empty());
}

TEST_F(QemuNativeLuksTest, PrepareKeepsASecretItDidNotCreateWhenTheHostRefusesTheDisk) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "passphrase");
  host_.set_opening_passphrase("passphrase");
  // Another attachment of the same volume defined it; it must outlive this failure.
  const std::string uuid = host_.add_secret("vol-1", bytes_of("passphrase"));
  host_.refuse_disk_source(true);
  volcrypt_attachment attachment;

  CallOutcome result = prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "passphrase",
                               VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  ASSERT_EQ(host_.secrets.size(), 1u);
  EXPECT_EQ(host_.secrets.at("vol-1").uuid, uuid);
}

TEST_F(QemuNativeLuksTest, ReleaseUndefinesTheSecretAndASecondReleaseSucceeds) {
  const std::string path = dir_.file("luks1.img");
  make_luks_volume(path, LuksVersion::luks1, "passphrase");
  host_.set_opening_passphrase("passphrase");
  volcrypt_attachment attachment;
  ASSERT_EQ(prepare(volume_at(path, VOLCRYPT_HEADER_LUKS1), "passphrase", VOLCRYPT_PREPARE_LIVE,
                    attachment)
                .result,
            VOLCRYPT_OK);
  ASSERT_EQ(host_.secrets.size(), 1u);

  CallOutcome first = release(attachment.state);
  EXPECT_EQ(first.result, VOLCRYPT_OK) << first.error;
  EXPECT_TRUE(host_.secrets.empty());

  CallOutcome second = release(attachment.state);
  EXPECT_EQ(second.result, VOLCRYPT_OK) << second.error;
  EXPECT_EQ(host_.undefine_calls(), 2);
}

TEST_F(QemuNativeLuksTest, ReleaseWithoutASecretInTheStateDoesNothing) {
  const std::string uuid = host_.add_secret("vol-1", bytes_of("passphrase"));
  CallOutcome result = release({});
  EXPECT_EQ(result.result, VOLCRYPT_OK) << result.error;
  EXPECT_EQ(host_.undefine_calls(), 0);
  EXPECT_EQ(host_.secrets.at("vol-1").uuid, uuid);
}

}  // namespace
}  // namespace volcrypt
