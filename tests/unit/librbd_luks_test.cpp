// The built librbd-luks plugin, loaded as the core loads it, against a fake host: it
// serves LUKS1 and LUKS2 RBD images at boot and --config only, checks the passphrase
// through the host before anything opens the image, and describes a network disk that
// librbd decrypts.
#include <gtest/gtest.h>

#include <string>

#include "fake_host.hpp"
#include "plugin_harness.hpp"
#include "plugin_host/host_services.hpp"
#include "plugin_host/plugin_calls.hpp"

namespace volcrypt {
namespace {

using conformance::version_number;
using namespace plugin_harness;

const std::string kImage = "rbd:volumes/img";
const std::string kPassphrase = "the right passphrase";

class LibrbdLuksTest : public ::testing::Test {
 protected:
  const LoadedPlugin& plugin = built_plugin("librbd-luks");
  conformance::FakeHost host{test::plain_qemu_host(), test::core_attachment_services()};

  static VolumeRequest rbd(volcrypt_header_kind header, uint32_t attach_flags = 0) {
    VolumeRequest args = network_volume("rbd", kImage, header, "luks2");
    args.attach_flags = attach_flags;
    return args;
  }
};

TEST_F(LibrbdLuksTest, RanksLuks2FirstLuks1SecondAndNothingElse) {
  EXPECT_EQ(call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS2)).result,
            VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS1)).result,
            VOLCRYPT_RANK_SECONDARY);
  EXPECT_EQ(call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_OTHER)).reason,
            "the image holds data that is not LUKS");
}

// A blank image: librbd formats it LUKS2 for luks2 (first choice) and LUKS1 for luks
// (below QEMU's engine, which hot-plugs); never live, and never on a host that cannot.
TEST_F(LibrbdLuksTest, RanksABlankImageByTheFormatItsProviderAsksFor) {
  const CallOutcome luks2 =
      call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_BLANK, VOLCRYPT_PREPARE_CONFIG));
  EXPECT_EQ(luks2.result, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(luks2.reason,
            "blank RBD image: librbd will format it LUKS2, then decrypt it inside QEMU");
  VolumeRequest luks1 = rbd(VOLCRYPT_HEADER_BLANK, VOLCRYPT_PREPARE_CONFIG);
  luks1.provider = "luks";
  const CallOutcome luks = call_probe(plugin.descriptor(), host, luks1);
  EXPECT_EQ(luks.result, VOLCRYPT_RANK_SECONDARY);
  EXPECT_EQ(luks.reason,
            "blank RBD image: librbd will format it LUKS1, then decrypt it inside QEMU; boot and "
            "--config only");
  EXPECT_EQ(call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_BLANK, VOLCRYPT_PREPARE_LIVE))
                .result,
            VOLCRYPT_RANK_NONE);

  host.without_format_volume();
  const CallOutcome old_host = call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_BLANK));
  EXPECT_EQ(old_host.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(old_host.reason,
            "blank RBD image: this host cannot format one (no format_volume, ABI 1.4)");
}

TEST_F(LibrbdLuksTest, PrepareHasTheHostFormatABlankImageThenDescribesIt) {
  VolumeRequest image = rbd(VOLCRYPT_HEADER_BLANK);
  image.cipher = "aes-xts-plain64";
  image.key_size_bits = 256;
  volcrypt_attachment attachment;
  const CallOutcome r = call_prepare(plugin.descriptor(), host, image, kPassphrase, {},
                                     VOLCRYPT_PREPARE_CONFIG, attachment);
  ASSERT_EQ(r.result, VOLCRYPT_OK) << r.error;
  ASSERT_EQ(host.format_calls().size(), 1u);
  EXPECT_EQ(host.format_calls()[0].format, "luks2");
  EXPECT_EQ(host.format_calls()[0].cipher, "aes-xts-plain64");
  EXPECT_EQ(host.format_calls()[0].key_size_bits, 256u);
  EXPECT_EQ(host.format_calls()[0].passphrase, kPassphrase);
  // It was just made with this passphrase: nothing to check.
  EXPECT_EQ(host.passphrase_checks(), 0);
  EXPECT_EQ(attachment.encryption->format, "luks2");
  EXPECT_EQ(attachment.encryption->engine, "librbd");
  EXPECT_EQ(attachment.state.at("formatted"), "yes");
  EXPECT_EQ(attachment.state.at("secret-uuid"), host.secrets.at("vol-1").uuid);
  expect_not_logged(host, kPassphrase);

  image.provider = "luks";
  volcrypt_attachment luks1;
  ASSERT_EQ(call_prepare(plugin.descriptor(), host, image, kPassphrase, {}, VOLCRYPT_PREPARE_CONFIG,
                         luks1)
                .result,
            VOLCRYPT_OK);
  EXPECT_EQ(host.format_calls().back().format, "luks");
  EXPECT_EQ(luks1.encryption->format, "luks");
}

TEST_F(LibrbdLuksTest, AFormatTheHostRefusesLeavesNoSecret) {
  host.answer_format(VOLCRYPT_ERROR_REFUSED_DATA,
                     "rbd:volumes/img is not blank (it holds data at byte 4096, where librbd's "
                     "LUKS header would go); refusing to format it");
  volcrypt_attachment attachment;
  const CallOutcome r = call_prepare(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_BLANK),
                                     kPassphrase, {}, VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(r.result, VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(r.error,
            "rbd:volumes/img is not blank (it holds data at byte 4096, where librbd's LUKS "
            "header would go); refusing to format it");
  EXPECT_EQ(host.define_calls(), 0);
  EXPECT_FALSE(attachment.source_kind.has_value());

  host.without_format_volume();
  const CallOutcome old = call_prepare(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_BLANK),
                                       kPassphrase, {}, VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(old.result, VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(old.error, "the host offers no format_volume (volcrypt ABI 1.4)");
  EXPECT_EQ(host.define_calls(), 0);
}

TEST_F(LibrbdLuksTest, RanksAnythingButAnRbdImageNone) {
  const CallOutcome file =
      call_probe(plugin.descriptor(), host, volume_at("/srv/v.img", VOLCRYPT_HEADER_LUKS2));
  EXPECT_EQ(file.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(file.reason, "librbd decrypts RBD images only");
  const CallOutcome iscsi =
      call_probe(plugin.descriptor(), host,
                 network_volume("iscsi", "iscsi://h/iqn.2026-12.org.x:t/1", VOLCRYPT_HEADER_LUKS2));
  EXPECT_EQ(iscsi.result, VOLCRYPT_RANK_NONE);
}

TEST_F(LibrbdLuksTest, RanksALiveAttachNoneSayingLibvirtCannotHotPlugIt) {
  const CallOutcome live =
      call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS2, VOLCRYPT_PREPARE_LIVE));
  EXPECT_EQ(live.result, VOLCRYPT_RANK_NONE);
  EXPECT_NE(live.reason.find("libvirt cannot hot-plug a disk decrypted by librbd"),
            std::string::npos)
      << live.reason;
  EXPECT_EQ(
      call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS2, VOLCRYPT_PREPARE_CONFIG))
          .result,
      VOLCRYPT_RANK_PRIMARY);
}

TEST_F(LibrbdLuksTest, RanksAQemuWithoutAnEncryptingRbdDriverNone) {
  host.set_hypervisor("QEMU", version_number(6, 0, 0));
  EXPECT_EQ(call_probe(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS2)).reason,
            "QEMU 6.0.0 is older than 6.1.0, the first whose rbd driver decrypts");
}

TEST_F(LibrbdLuksTest, PrepareDescribesANetworkDiskThatLibrbdDecrypts) {
  host.set_opening_passphrase(kPassphrase);
  volcrypt_attachment attachment;
  const CallOutcome r = call_prepare(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS2),
                                     kPassphrase, {}, VOLCRYPT_PREPARE_CONFIG, attachment);
  ASSERT_EQ(r.result, VOLCRYPT_OK) << r.error;
  EXPECT_EQ(host.passphrase_checks(), 1);
  EXPECT_EQ(attachment.source_kind, VOLCRYPT_SOURCE_NETWORK);
  EXPECT_EQ(attachment.source_path, kImage);
  ASSERT_TRUE(attachment.encryption.has_value());
  EXPECT_EQ(attachment.encryption->format, "luks2");
  EXPECT_EQ(attachment.encryption->engine, "librbd");
  ASSERT_EQ(host.secrets.count("vol-1"), 1u);
  EXPECT_EQ(attachment.encryption->secret_uuid, host.secrets.at("vol-1").uuid);
  EXPECT_EQ(attachment.state.at("secret-uuid"), host.secrets.at("vol-1").uuid);
  expect_not_logged(host, kPassphrase);

  const CallOutcome released = call_release(plugin.descriptor(), host, attachment.state);
  EXPECT_EQ(released.result, VOLCRYPT_OK) << released.error;
  EXPECT_TRUE(host.secrets.empty());
}

TEST_F(LibrbdLuksTest, AWrongPassphraseIsRefusedBeforeAnySecretExists) {
  host.set_opening_passphrase(kPassphrase);
  volcrypt_attachment attachment;
  const CallOutcome r = call_prepare(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS1), "wrong",
                                     {}, VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(r.result, VOLCRYPT_ERROR_WRONG_KEY);
  EXPECT_EQ(r.error, "the passphrase is wrong for volume vol-1 (no key slot opens)");
  EXPECT_TRUE(host.secrets.empty());
  EXPECT_EQ(host.define_calls(), 0);
}

TEST_F(LibrbdLuksTest, ALivePrepareIsRefusedAndMakesNothing) {
  host.set_opening_passphrase(kPassphrase);
  volcrypt_attachment attachment;
  const CallOutcome r = call_prepare(plugin.descriptor(), host, rbd(VOLCRYPT_HEADER_LUKS2),
                                     kPassphrase, {}, VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(r.result, VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_TRUE(host.secrets.empty());
  EXPECT_FALSE(attachment.source_kind.has_value());
}

TEST_F(LibrbdLuksTest, ClaimsARecordLessDiskWhoseEngineIsLibrbd) {
  DiskInfo disk;
  disk.target = "vdb";
  disk.source_kind = VOLCRYPT_SOURCE_NETWORK;
  disk.source_path = kImage;
  disk.encryption = NativeEncryption{"luks2", "5ec2e700-0000-4000-8000-000000000001", "", "librbd"};
  HostServices services(nullptr, HostFacts{}, {});
  const DiskClaimAnswer claim =
      claim_with_plugin(plugin.descriptor(), "librbd-luks.so", services, AbiDisk(disk));
  EXPECT_EQ(claim.rank, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(claim.state.at("secret-uuid"), "5ec2e700-0000-4000-8000-000000000001");
  disk.encryption->engine = "qemu";
  EXPECT_EQ(claim_with_plugin(plugin.descriptor(), "librbd-luks.so", services, AbiDisk(disk)).rank,
            0);
}

}  // namespace
}  // namespace volcrypt
