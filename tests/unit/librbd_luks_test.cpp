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

using fakes::FakeHost;
using fakes::version;
using namespace plugin_harness;

const std::string kImage = "rbd:volumes/img";
const std::string kPassphrase = "the right passphrase";

class LibrbdLuksTest : public ::testing::Test {
 protected:
  const LoadedPlugin& plugin = built_plugin("librbd-luks");
  FakeHost host;

  static VolumeArgs rbd(volcrypt_header_kind header, uint32_t attach_flags = 0) {
    VolumeArgs args = network_volume("rbd", kImage, header, "luks2");
    args.attach_flags = attach_flags;
    return args;
  }
};

TEST_F(LibrbdLuksTest, RanksLuks2FirstLuks1SecondAndNothingElse) {
  EXPECT_EQ(probe(plugin, host, rbd(VOLCRYPT_HEADER_LUKS2)).rank, VOLCRYPT_RANK_PRIMARY);
  EXPECT_EQ(probe(plugin, host, rbd(VOLCRYPT_HEADER_LUKS1)).rank, VOLCRYPT_RANK_SECONDARY);
  const ProbeAnswer blank = probe(plugin, host, rbd(VOLCRYPT_HEADER_BLANK));
  EXPECT_EQ(blank.rank, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(blank.reason,
            "blank RBD image: librbd-luks does not format images yet; format it with librbd's "
            "encryption first");
  EXPECT_EQ(probe(plugin, host, rbd(VOLCRYPT_HEADER_OTHER)).reason,
            "the image holds data that is not LUKS");
}

TEST_F(LibrbdLuksTest, RanksAnythingButAnRbdImageNone) {
  const ProbeAnswer file = probe(plugin, host, volume_at("/srv/v.img", VOLCRYPT_HEADER_LUKS2));
  EXPECT_EQ(file.rank, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(file.reason, "librbd decrypts RBD images only");
  const ProbeAnswer iscsi =
      probe(plugin, host,
            network_volume("iscsi", "iscsi://h/iqn.2026-12.org.x:t/1", VOLCRYPT_HEADER_LUKS2));
  EXPECT_EQ(iscsi.rank, VOLCRYPT_RANK_NONE);
}

TEST_F(LibrbdLuksTest, RanksALiveAttachNoneSayingLibvirtCannotHotPlugIt) {
  const ProbeAnswer live = probe(plugin, host, rbd(VOLCRYPT_HEADER_LUKS2, VOLCRYPT_PREPARE_LIVE));
  EXPECT_EQ(live.rank, VOLCRYPT_RANK_NONE);
  EXPECT_NE(live.reason.find("libvirt cannot hot-plug a disk decrypted by librbd"),
            std::string::npos)
      << live.reason;
  EXPECT_EQ(probe(plugin, host, rbd(VOLCRYPT_HEADER_LUKS2, VOLCRYPT_PREPARE_CONFIG)).rank,
            VOLCRYPT_RANK_PRIMARY);
}

TEST_F(LibrbdLuksTest, RanksAQemuWithoutAnEncryptingRbdDriverNone) {
  host.set_hypervisor("QEMU", version(6, 0, 0));
  EXPECT_EQ(probe(plugin, host, rbd(VOLCRYPT_HEADER_LUKS2)).reason,
            "QEMU 6.0.0 is older than 6.1.0, the first whose rbd driver decrypts");
}

TEST_F(LibrbdLuksTest, PrepareDescribesANetworkDiskThatLibrbdDecrypts) {
  host.set_opening_passphrase(kPassphrase);
  volcrypt_attachment attachment;
  const CallResult r = prepare(plugin, host, rbd(VOLCRYPT_HEADER_LUKS2), kPassphrase, {},
                               VOLCRYPT_PREPARE_CONFIG, attachment);
  ASSERT_EQ(r.status, VOLCRYPT_OK) << r.message;
  EXPECT_EQ(host.passphrase_checks(), 1);
  EXPECT_EQ(attachment.source_kind, VOLCRYPT_SOURCE_NETWORK);
  EXPECT_EQ(attachment.source_path, kImage);
  ASSERT_TRUE(attachment.encryption.has_value());
  EXPECT_EQ(attachment.encryption->format, "luks2");
  EXPECT_EQ(attachment.encryption->engine, "librbd");
  ASSERT_EQ(host.secrets().count("vol-1"), 1u);
  EXPECT_EQ(attachment.encryption->secret_uuid, host.secrets().at("vol-1").uuid);
  EXPECT_EQ(attachment.state.at("secret-uuid"), host.secrets().at("vol-1").uuid);
  expect_not_logged(host, kPassphrase);

  const CallResult released = release(plugin, host, attachment.state);
  EXPECT_EQ(released.status, VOLCRYPT_OK) << released.message;
  EXPECT_TRUE(host.secrets().empty());
}

TEST_F(LibrbdLuksTest, AWrongPassphraseIsRefusedBeforeAnySecretExists) {
  host.set_opening_passphrase(kPassphrase);
  volcrypt_attachment attachment;
  const CallResult r = prepare(plugin, host, rbd(VOLCRYPT_HEADER_LUKS1), "wrong", {},
                               VOLCRYPT_PREPARE_CONFIG, attachment);
  EXPECT_EQ(r.status, VOLCRYPT_ERROR_WRONG_KEY);
  EXPECT_EQ(r.message, "the passphrase is wrong for volume vol-1 (no key slot opens)");
  EXPECT_TRUE(host.secrets().empty());
  EXPECT_EQ(host.define_calls(), 0);
}

TEST_F(LibrbdLuksTest, ALivePrepareIsRefusedAndMakesNothing) {
  host.set_opening_passphrase(kPassphrase);
  volcrypt_attachment attachment;
  const CallResult r = prepare(plugin, host, rbd(VOLCRYPT_HEADER_LUKS2), kPassphrase, {},
                               VOLCRYPT_PREPARE_LIVE, attachment);
  EXPECT_EQ(r.status, VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_TRUE(host.secrets().empty());
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
