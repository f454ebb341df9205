// plain-dmcrypt on a real dm-crypt kernel: the parameters resolved on the first attach are
// recorded, and a later attach with that record reads back the same data even when the
// volume description asks for something else; a wrong key opens but reads other data.
#include <gmock/gmock.h>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "guest_plugin.hpp"

namespace volcrypt::guest {
namespace {

class PlainDmcrypt : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    ASSERT_TRUE(plugin.loaded()) << "plain-dmcrypt.so did not load: " << plugin.refusal();
  }

  PrepareResult open(const VolumeRequest& args, const std::string& key, const StateMap& previous,
                     uint32_t flags = VOLCRYPT_PREPARE_LIVE) {
    PrepareResult opened = plugin.prepare(args, key, previous, flags);
    EXPECT_EQ(opened.result, VOLCRYPT_OK) << opened.error;
    return opened;
  }

  void close(const StateMap& state) {
    CallOutcome closed = plugin.release(state);
    EXPECT_EQ(closed.result, VOLCRYPT_OK) << closed.error;
  }

  GuestPlugin plugin{"plain-dmcrypt"};
};

TEST_F(PlainDmcrypt, RoundTripUsesTheRecordedParameters) {
  Volume volume = blank_volume("plain.img");
  PrepareResult first = open(volume_at(volume.device, "plain"), passphrase, {});
  const StateMap recorded = first.attachment.state;
  EXPECT_EQ(first.attachment.source_path, "/dev/mapper/" + volume.mapping());
  // Every parameter is resolved and recorded on the first attach.
  for (const char* key : {"cipher", "key-size", "hash", "offset", "skip", "sector-size"}) {
    EXPECT_FALSE(recorded.count(key) == 0 || recorded.at(key).empty()) << key << " not recorded";
  }
  write_pattern(mapper_path(volume.mapping()), 0x77, kPatternSize);
  close(recorded);
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  EXPECT_FALSE(holds_plaintext_run(volume.file, 0x77)) << "plaintext reached the volume";

  // A later attach whose description asks for other parameters still uses the record.
  VolumeRequest later = volume_at(volume.device, "CryptsetupEncryptor");
  later.cipher = "aes-xts-plain64";
  later.key_size_bits = 512;
  PrepareResult again = open(later, passphrase, recorded);
  EXPECT_EQ(pattern_mismatch(mapper_path(volume.mapping()), 0x77, kPatternSize), "");
  EXPECT_EQ(again.attachment.state, recorded);
  close(again.attachment.state);

  // `volcrypt prepare` re-opens from the record alone.
  PrepareResult reopened =
      open(volume_at(volume.device, "plain"), passphrase, recorded, VOLCRYPT_PREPARE_REOPEN);
  EXPECT_EQ(pattern_mismatch(mapper_path(volume.mapping()), 0x77, kPatternSize), "");
  close(reopened.attachment.state);
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
}

TEST_F(PlainDmcrypt, WrongKeyCannotBeDetectedAndReadsOtherData) {
  Volume volume = blank_volume("plain.img");
  CallOutcome answer = plugin.probe(volume_at(volume.device, "plain"));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_MARGINAL);
  EXPECT_THAT(answer.reason, ::testing::HasSubstr("a wrong passphrase cannot be detected"));

  PrepareResult first = open(volume_at(volume.device, "plain"), passphrase, {});
  write_pattern(mapper_path(volume.mapping()), 0x77, kPatternSize);
  close(first.attachment.state);

  PrepareResult wrong =
      open(volume_at(volume.device, "plain"), random_passphrase(), first.attachment.state);
  EXPECT_NE(pattern_mismatch(mapper_path(volume.mapping()), 0x77, kPatternSize), "");
  close(wrong.attachment.state);
}

TEST_F(PlainDmcrypt, BusyMappingIsRefusedAndClosingTwiceSucceeds) {
  Volume volume = blank_volume("plain.img");
  PrepareResult opened = open(volume_at(volume.device, "plain"), passphrase, {});
  const std::string device = mapper_path(volume.mapping());
  {
    // Held open as a running guest would hold it.
    std::FILE* holder = std::fopen(device.c_str(), "rb");
    ASSERT_NE(holder, nullptr);
    CallOutcome busy = plugin.release(opened.attachment.state);
    std::fclose(holder);
    EXPECT_EQ(busy.result, VOLCRYPT_ERROR_BUSY);
    EXPECT_EQ(busy.error, "mapping " + volume.mapping() + " is still in use; it was left open");
    EXPECT_TRUE(path_exists(device));
  }
  close(opened.attachment.state);
  close(opened.attachment.state);
  EXPECT_FALSE(path_exists(device));
}

}  // namespace
}  // namespace volcrypt::guest
