// The built cryptsetup-luks plugin, loaded as the core loads it, against a fake host:
// every probe reason, formatting a blank volume as LUKS2 for provider luks2 (formatting
// needs no device-mapper), refusing data, os-brick's mapping names, and what prepare and
// release do on this machine, whose kernel has no device-mapper. Opening real mappings
// is tested in the guest VM (tests/guest).
#include <gtest/gtest.h>
#include <libcryptsetup.h>

#include <string>
#include <vector>

#include "blank_volume.hpp"
#include "luks_format.hpp"
#include "mapping_name.hpp"
#include "plugin_harness.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using conformance::version_number;
using namespace plugin_harness;
using test_volumes::make_blank_file;
using test_volumes::read_file;
using test_volumes::ScratchDir;

constexpr const char* kNoDeviceMapperHere =
    "device-mapper is unavailable (the running kernel has no dm-mod; load dm-mod and dm-crypt)";

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * 31 + seed);
  return bytes;
}

void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  test_volumes::write_file(
      path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

std::span<const uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

// Where libcryptsetup says the data of a LUKS volume starts, in bytes.
uint64_t luks_data_offset_bytes(const std::string& path) {
  crypt_device* device = nullptr;
  EXPECT_EQ(crypt_init(&device, path.c_str()), 0);
  EXPECT_EQ(crypt_load(device, CRYPT_LUKS, nullptr), 0);
  uint64_t offset = crypt_get_data_offset(device) * 512;
  crypt_free(device);
  return offset;
}

// Whether passphrase opens a key slot, checked with crypt_activate_by_passphrase(cd, NULL,
// ...): nothing is mapped. The kernel keyring is off so that LUKS2 asks nothing of
// device-mapper, which this machine's kernel lacks.
bool passphrase_opens(const std::string& path, std::string_view passphrase) {
  crypt_device* device = nullptr;
  EXPECT_EQ(crypt_init(&device, path.c_str()), 0);
  EXPECT_EQ(crypt_load(device, CRYPT_LUKS, nullptr), 0);
  crypt_volume_key_keyring(device, 0);
  int rc = crypt_activate_by_passphrase(device, nullptr, CRYPT_ANY_SLOT, passphrase.data(),
                                        passphrase.size(), 0);
  crypt_free(device);
  return rc >= 0;
}

class CryptsetupLuksTest : public ::testing::Test {
 protected:
  void SetUp() override { host_.set_device_mapper(true, true); }

  const LoadedPlugin& plugin() { return built_plugin("cryptsetup-luks"); }
  CallOutcome probe_header(volcrypt_header_kind header, const std::string& provider = "luks") {
    return call_probe(plugin().descriptor(), host_, volume_at("/dev/loop3", header, provider));
  }

  conformance::FakeHost host_{test::plain_qemu_host(), test::core_attachment_services()};
  ScratchDir dir_;
  volcrypt_attachment attachment_;
};

TEST_F(CryptsetupLuksTest, DescribesItselfAndTheProvidersItServes) {
  EXPECT_EQ(plugin().id(), "cryptsetup-luks");
  EXPECT_EQ(plugin().version(), "1.1.0");
  EXPECT_TRUE(plugin().makes_host_device());
  // Canonical names only: the core maps Nova's class names (provider_names_test).
  EXPECT_EQ(plugin().providers(), (std::vector<std::string>{"luks", "luks2"}));
}

TEST_F(CryptsetupLuksTest, ProbeRanksNoneWithoutDeviceMapper) {
  host_.set_device_mapper(false, false);
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS2);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the kernel offers no device-mapper");
}

TEST_F(CryptsetupLuksTest, ProbeRanksANetworkVolumeNoneEvenWithDmCrypt) {
  host_.set_device_mapper(true, true);
  const CallOutcome answer =
      call_probe(plugin().descriptor(), host_,
                 network_volume("rbd", "rbd:volumes/img", VOLCRYPT_HEADER_LUKS2, "luks2"));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason,
            "a network volume (rbd) has no host block device for dm-crypt; QEMU reads it itself");
}

TEST_F(CryptsetupLuksTest, ProbeRanksNoneWithoutDmCrypt) {
  host_.set_device_mapper(true, false);
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS2);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the kernel has no dm-crypt target");
}

TEST_F(CryptsetupLuksTest, ProbeRanksLuks1BelowNativeWhereQemuDecryptsIt) {
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS1);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_SECONDARY);
  EXPECT_EQ(answer.reason,
            "host dm-crypt mapping (QEMU decrypts this natively; used when native is denied)");
}

TEST_F(CryptsetupLuksTest, ProbeRanksLuks1SecondaryFromTheFirstVersionsThatDecryptLuks) {
  host_.set_hypervisor("QEMU", version_number(2, 6, 0));
  host_.set_libvirt_version(version_number(2, 2, 0));
  EXPECT_EQ(probe_header(VOLCRYPT_HEADER_LUKS1).result, VOLCRYPT_RANK_SECONDARY);
}

TEST_F(CryptsetupLuksTest, ProbeRanksLuks1PrimaryWhereQemuIsOlderThanTwoSix) {
  host_.set_hypervisor("QEMU", version_number(2, 5, 0));
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS1);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason,
            "QEMU 2.5.0 is older than 2.6.0, so QEMU cannot decrypt LUKS1 natively; host dm-crypt "
            "mapping");
}

TEST_F(CryptsetupLuksTest, ProbeRanksLuks1PrimaryWhereTheHypervisorIsNotQemu) {
  host_.set_hypervisor("Xen", version_number(4, 17, 0));
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS1);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason,
            "the hypervisor is Xen, not QEMU, so QEMU cannot decrypt LUKS1 natively; host dm-crypt "
            "mapping");
}

TEST_F(CryptsetupLuksTest, ProbeRanksLuks1PrimaryWhereTheQemuVersionIsUnknown) {
  host_.set_hypervisor("QEMU", 0);
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS1);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason,
            "the QEMU version is unknown, so QEMU cannot decrypt LUKS1 natively; host dm-crypt "
            "mapping");
}

TEST_F(CryptsetupLuksTest, ProbeRanksLuks1PrimaryWhereLibvirtIsOlderThanTwoTwo) {
  host_.set_libvirt_version(version_number(2, 1, 0));
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS1);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason,
            "libvirt 2.1.0 is older than 2.2.0, so QEMU cannot decrypt LUKS1 natively; host "
            "dm-crypt mapping");
}

TEST_F(CryptsetupLuksTest, ProbeRanksLuks2Primary) {
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_LUKS2);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason, "LUKS2: QEMU cannot decrypt LUKS2 natively; host dm-crypt mapping");
}

// The host hands plugins canonical names: luks2 formats LUKS2, which only dm-crypt opens;
// luks formats LUKS1, which QEMU decrypts natively on this host.
TEST_F(CryptsetupLuksTest, ProbeRanksABlankVolumeByTheFormatItsProviderAsksFor) {
  const CallOutcome luks2 = probe_header(VOLCRYPT_HEADER_BLANK, "luks2");
  const CallOutcome luks = probe_header(VOLCRYPT_HEADER_BLANK, "luks");
  EXPECT_EQ(luks2.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(luks2.reason,
            "blank volume: will be formatted LUKS2 (QEMU cannot decrypt LUKS2 natively); host "
            "dm-crypt mapping");
  EXPECT_EQ(luks.result, VOLCRYPT_RANK_SECONDARY);
  EXPECT_EQ(luks.reason,
            "blank volume: will be formatted LUKS1; host dm-crypt mapping (QEMU decrypts this "
            "natively; used when native is denied)");
}

TEST_F(CryptsetupLuksTest, ProbeRanksABlankVolumePrimaryForLuksWhereQemuCannotServeIt) {
  host_.set_hypervisor("QEMU", version_number(2, 5, 0));
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_BLANK, "luks");
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(answer.reason,
            "blank volume: will be formatted LUKS1; QEMU 2.5.0 is older than 2.6.0, so QEMU cannot "
            "decrypt LUKS1 natively; host dm-crypt mapping");
}

TEST_F(CryptsetupLuksTest, ProbeRanksNoneForDataThatIsNotLuks) {
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_OTHER);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the volume holds data that is not LUKS");
}

TEST_F(CryptsetupLuksTest, ProbeRanksNoneForAnUnreadHeader) {
  CallOutcome answer = probe_header(VOLCRYPT_HEADER_UNKNOWN);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the volume's header could not be read");
}

TEST(CryptsetupLuksFormat, ChoosesLuks2ForProviderLuks2AndLuks1Otherwise) {
  EXPECT_EQ(dm::luks_version_for_provider("luks2"), dm::LuksVersion::luks2);
  EXPECT_EQ(dm::luks_version_for_provider("luks"), dm::LuksVersion::luks1);
  EXPECT_EQ(dm::luks_version_for_provider("acme-luks"), dm::LuksVersion::luks1);
}

TEST(CryptsetupLuksFormat, FormatsABlankVolumeAsLuks2ForProviderLuks2WithoutDeviceMapper) {
  conformance::FakeHost host{test::plain_qemu_host(), test::core_attachment_services()};
  ScratchDir dir;
  const std::string path = dir.file("blank.img");
  // Zero in the first 4 MiB (the blank check), data after it that must survive.
  std::vector<uint8_t> bytes(8 * 1024 * 1024, 0);
  const std::vector<uint8_t> data = pattern(4 * 1024 * 1024, 11);
  std::copy(data.begin(), data.end(), bytes.begin() + dm::kBlankCheckBytes);
  write_bytes(path, bytes);
  const std::string key = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

  dm::format_blank_luks(sdk::Host(host.table()), path, dm::luks_version_for_provider("luks2"),
                        dm::luks_cipher_for("", 0), bytes_of(key));

  test_volumes::LuksDescription luks = test_volumes::describe_luks(path);
  EXPECT_EQ(luks.type, "LUKS2");
  EXPECT_EQ(luks.cipher, "aes-xts-plain64");
  EXPECT_EQ(luks.key_bits, 512);
  // Checked with crypt_activate_by_passphrase(cd, NULL, ...): no mapping is made.
  EXPECT_TRUE(passphrase_opens(path, key));
  EXPECT_FALSE(passphrase_opens(path, "not the key"));
  // The whole header, key slots included, stays inside the zero-checked 4 MiB.
  EXPECT_EQ(luks_data_offset_bytes(path), dm::kBlankCheckBytes);
  std::vector<uint8_t> after = read_file(path);
  ASSERT_EQ(after.size(), bytes.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), after.begin() + dm::kBlankCheckBytes))
      << "formatting LUKS2 wrote beyond the first 4 MiB";
  expect_not_logged(host, key);
}

TEST(CryptsetupLuksFormat, FormatsABlankVolumeAsLuks1ForProviderLuks) {
  conformance::FakeHost host{test::plain_qemu_host(), test::core_attachment_services()};
  ScratchDir dir;
  const std::string path = dir.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);

  dm::format_blank_luks(sdk::Host(host.table()), path, dm::luks_version_for_provider("luks"),
                        dm::luks_cipher_for("", 0), bytes_of("passphrase"));

  test_volumes::LuksDescription luks = test_volumes::describe_luks(path);
  EXPECT_EQ(luks.type, "LUKS1");
  EXPECT_EQ(luks.slot0_iterations, 600000u);  // as qemu-native-luks: QEMU reads it natively
  EXPECT_TRUE(passphrase_opens(path, "passphrase"));
}

TEST(CryptsetupLuksFormat, RefusesALuks2VolumeTooSmallForItsHeaderAndRestoresIt) {
  conformance::FakeHost host{test::plain_qemu_host(), test::core_attachment_services()};
  ScratchDir dir;
  const std::string path = dir.file("tiny.img");
  make_blank_file(path, 4 * 1024 * 1024);
  try {
    dm::format_blank_luks(sdk::Host(host.table()), path, dm::LuksVersion::luks2,
                          dm::luks_cipher_for("", 0), bytes_of("passphrase"));
    ADD_FAILURE() << "a 4 MiB volume was formatted LUKS2";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status(), VOLCRYPT_ERROR_INVALID);
    EXPECT_EQ(std::string(e.what()),
              "volume '" + path +
                  "' is too small for LUKS2: it holds 4194304 bytes and the LUKS2 header alone "
                  "takes 4194304");
  }
  EXPECT_EQ(read_file(path), std::vector<uint8_t>(4 * 1024 * 1024, 0));
}

TEST(CryptsetupLuksMappingName, IsOsBricksCryptPrefixAndTheBasename) {
  EXPECT_EQ(dm::mapping_name_for("/dev/loop3"), "crypt-loop3");
  EXPECT_EQ(dm::mapping_name_for("/var/x/vol.img"), "crypt-vol.img");
  EXPECT_EQ(dm::mapping_name_for("vol.img"), "crypt-vol.img");
  // os-brick names it after the path it was handed, not the link's target.
  EXPECT_EQ(
      dm::mapping_name_for("/dev/disk/by-path/ip-10.0.0.2:3260-iscsi-iqn.2010-10.org:vol-lun-1"),
      "crypt-ip-10.0.0.2:3260-iscsi-iqn.2010-10.org:vol-lun-1");
}

TEST(CryptsetupLuksMappingName, RefusesAPathWithNoNameOrANameTooLongForDeviceMapper) {
  for (const char* path : {"/dev/", "", "/var/.."}) {
    try {
      dm::mapping_name_for(path);
      ADD_FAILURE() << "no error for '" << path << "'";
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status(), VOLCRYPT_ERROR_INVALID);
      EXPECT_EQ(std::string(e.what()), "volume path '" + std::string(path) +
                                           "' has no file name to name its mapping after");
    }
  }
  const std::string long_name(121, 'v');
  EXPECT_EQ(dm::mapping_name_for("/dev/" + long_name).size(), 127u);
  try {
    dm::mapping_name_for("/dev/" + long_name + "w");
    ADD_FAILURE() << "a 128-character mapping name was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(std::string(e.what()), "mapping name 'crypt-" + long_name +
                                         "w' is longer than device-mapper allows (127 characters)");
  }
}

TEST(CryptsetupLuksMappingName, ClosesTheRecordedNameFirstThenOsBricksOtherNaming) {
  EXPECT_EQ(dm::mapping_names_to_close("crypt-loop3"),
            (std::vector<std::string>{"crypt-loop3", "loop3"}));
  EXPECT_EQ(dm::mapping_names_to_close("loop3"),
            (std::vector<std::string>{"loop3", "crypt-loop3"}));
  EXPECT_TRUE(dm::mapping_names_to_close("").empty());
}

// --- prepare and release on this machine: no device-mapper in its kernel -------------

TEST_F(CryptsetupLuksTest, PrepareSaysDeviceMapperIsUnavailableAndLeavesALuks1VolumeAsItWas) {
  const std::string path = dir_.file("luks1.img");
  test_volumes::make_luks_volume(path, test_volumes::LuksVersion::luks1, "the passphrase");
  const std::vector<uint8_t> before = read_file(path);
  volcrypt_attachment attachment;

  CallOutcome result =
      call_prepare(plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_LUKS1),
                   "the passphrase", {}, VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_FAILED);
  EXPECT_EQ(result.error, std::string("cannot open mapping crypt-luks1.img for volume vol-1: ") +
                              kNoDeviceMapperHere);
  EXPECT_EQ(read_file(path), before);
  EXPECT_TRUE(host_.secrets.empty());
  EXPECT_EQ(host_.define_calls(), 0);
  EXPECT_FALSE(attachment.source_kind.has_value());
  EXPECT_TRUE(attachment.state.empty());
  expect_not_logged(host_, "the passphrase");
}

TEST_F(CryptsetupLuksTest, PrepareOfALuks2LoopDeviceNamesTheMappingCryptLoop3) {
  // Refused before the device is touched, so the path need not exist here.
  CallOutcome result = call_prepare(plugin().descriptor(), host_,
                                    volume_at("/dev/loop3", VOLCRYPT_HEADER_LUKS2, "luks2"), "key",
                                    {}, VOLCRYPT_PREPARE_LIVE, attachment_);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_FAILED);
  EXPECT_EQ(result.error, std::string("cannot open mapping crypt-loop3 for volume vol-1: ") +
                              kNoDeviceMapperHere);
}

TEST_F(CryptsetupLuksTest, PrepareReopensUnderTheRecordedMappingName) {
  CallOutcome result = call_prepare(
      plugin().descriptor(), host_, volume_at("/dev/loop7", VOLCRYPT_HEADER_LUKS2), "key",
      {{"mapping", "crypt-loop3"}, {"device", "/dev/loop3"}}, VOLCRYPT_PREPARE_REOPEN, attachment_);
  EXPECT_EQ(result.error, std::string("cannot open mapping crypt-loop3 for volume vol-1: ") +
                              kNoDeviceMapperHere);
}

TEST_F(CryptsetupLuksTest, PrepareLeavesABlankVolumeUnformattedWhenItCannotMapIt) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);
  volcrypt_attachment attachment;

  CallOutcome result =
      call_prepare(plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_BLANK, "luks2"),
                   "the passphrase", {}, VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_FAILED);
  EXPECT_EQ(result.error, std::string("cannot open mapping crypt-blank.img for volume vol-1: ") +
                              kNoDeviceMapperHere);
  EXPECT_EQ(read_file(path), std::vector<uint8_t>(8 * 1024 * 1024, 0));
  EXPECT_TRUE(attachment.state.empty());
}

TEST_F(CryptsetupLuksTest, PrepareRefusesDataThatIsNotLuksAndLeavesItUntouched) {
  const std::string path = dir_.file("data.img");
  write_bytes(path, pattern(1024 * 1024, 7));
  const std::vector<uint8_t> before = read_file(path);
  volcrypt_attachment attachment;

  CallOutcome result =
      call_prepare(plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_OTHER, "luks2"),
                   "passphrase", {}, VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(result.error,
            "volume '" + path + "' holds data that is not LUKS; refusing to touch it");
  EXPECT_EQ(read_file(path), before);
  EXPECT_FALSE(attachment.source_kind.has_value());
}

TEST_F(CryptsetupLuksTest, PrepareRefusesToFormatABlankVolumeOnAReopen) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);

  CallOutcome result = call_prepare(
      plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_BLANK, "luks2"), "passphrase",
      {{"mapping", "crypt-blank.img"}}, VOLCRYPT_PREPARE_REOPEN, attachment_);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(result.error, "volume '" + path +
                              "' is blank, but its record says it was opened before; refusing to "
                              "format it on a re-open");
  EXPECT_EQ(read_file(path), std::vector<uint8_t>(8 * 1024 * 1024, 0));
}

TEST_F(CryptsetupLuksTest, PrepareRefusesACipherWithoutAModeBeforeTouchingABlankVolume) {
  const std::string path = dir_.file("blank.img");
  make_blank_file(path, 8 * 1024 * 1024);
  VolumeRequest args = volume_at(path, VOLCRYPT_HEADER_BLANK, "luks2");
  args.cipher = "aes";

  CallOutcome result = call_prepare(plugin().descriptor(), host_, args, "passphrase", {},
                                    VOLCRYPT_PREPARE_LIVE, attachment_);
  EXPECT_EQ(result.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(result.error, "cipher 'aes' needs a cipher and a mode, e.g. aes-xts-plain64");
}

TEST_F(CryptsetupLuksTest, PrepareRefusesAnUnreadHeaderAndAnEmptyPassphrase) {
  const std::string path = dir_.file("v.img");
  CallOutcome unread =
      call_prepare(plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_UNKNOWN), "key",
                   {}, VOLCRYPT_PREPARE_LIVE, attachment_);
  EXPECT_EQ(unread.result, VOLCRYPT_ERROR_FAILED);
  EXPECT_EQ(unread.error, "the header of volume '" + path + "' could not be read");

  CallOutcome empty =
      call_prepare(plugin().descriptor(), host_, volume_at(path, VOLCRYPT_HEADER_LUKS1), "", {},
                   VOLCRYPT_PREPARE_LIVE, attachment_);
  EXPECT_EQ(empty.result, VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(empty.error, "the passphrase for volume vol-1 is empty");
}

TEST_F(CryptsetupLuksTest, ReleaseOfAMappingThatCannotExistHereSucceeds) {
  // No device-mapper: no mapping can be open, under either of os-brick's names.
  for (const char* mapping : {"crypt-loop3", "loop3"}) {
    CallOutcome result = call_release(plugin().descriptor(), host_,
                                      {{"mapping", mapping}, {"device", "/dev/loop3"}});
    EXPECT_EQ(result.result, VOLCRYPT_OK) << result.error;
  }
  EXPECT_EQ(host_.log_lines.back(), "[0] mapping loop3 is already closed");
}

TEST_F(CryptsetupLuksTest, ReleaseWithNoMappingInTheStateDoesNothing) {
  CallOutcome result = call_release(plugin().descriptor(), host_, {});
  EXPECT_EQ(result.result, VOLCRYPT_OK) << result.error;
  EXPECT_TRUE(host_.log_lines.empty());
}

}  // namespace
}  // namespace volcrypt
