// cryptsetup-luks on a real dm-crypt kernel: LUKS1 and LUKS2 volumes open as
// /dev/mapper/crypt-NAME and hold what is written through them, a wrong passphrase and
// foreign data are refused with nothing changed, blank volumes are formatted, mappings
// under os-brick's legacy names close, closing twice succeeds and a busy mapping stays.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <unistd.h>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "guest_plugin.hpp"

namespace volcrypt::guest {
namespace {

using test_volumes::LuksVersion;
using ::testing::HasSubstr;
using ::testing::Not;

class CryptsetupLuks : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    ASSERT_TRUE(plugin.loaded()) << "cryptsetup-luks.so did not load: " << plugin.refusal();
  }

  // Opens the volume through the plugin and checks the disk the guest would get.
  StateMap open(const Volume& volume, const std::string& provider) {
    PrepareResult opened = plugin.prepare(volume_at(volume.device, provider), passphrase);
    EXPECT_EQ(opened.result, VOLCRYPT_OK) << opened.error;
    EXPECT_EQ(opened.attachment.source_path, "/dev/mapper/" + volume.mapping());
    EXPECT_EQ(opened.attachment.source_kind, VOLCRYPT_SOURCE_BLOCK);
    EXPECT_FALSE(opened.attachment.encryption.has_value());
    EXPECT_TRUE(path_exists(mapper_path(volume.mapping())));
    return opened.attachment.state;
  }

  void expect_closed(const StateMap& state, const Volume& volume) {
    CallOutcome closed = plugin.release(state);
    EXPECT_EQ(closed.result, VOLCRYPT_OK) << closed.error;
    EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  }

  // Data written through the mapping is there after close and re-open, and only encrypted
  // on the volume itself.
  void round_trip(LuksVersion version, const std::string& provider, uint8_t pattern) {
    Volume volume = luks_volume("volume.luks", version);
    StateMap state = open(volume, provider);
    ASSERT_EQ(state["mapping"], volume.mapping());
    write_pattern(mapper_path(volume.mapping()), pattern, kPatternSize);
    expect_closed(state, volume);
    EXPECT_FALSE(holds_plaintext_run(volume.file, pattern)) << "plaintext reached the volume";

    StateMap again = open(volume, provider);
    EXPECT_EQ(pattern_mismatch(mapper_path(volume.mapping()), pattern, kPatternSize), "");
    expect_closed(again, volume);
  }

  GuestPlugin plugin{"cryptsetup-luks"};
};

TEST_F(CryptsetupLuks, Luks1OpensAndHoldsWhatIsWrittenThroughTheMapping) {
  round_trip(LuksVersion::luks1, "luks", 0xa1);
}

TEST_F(CryptsetupLuks, Luks2OpensAndHoldsWhatIsWrittenThroughTheMapping) {
  round_trip(LuksVersion::luks2, "luks2", 0xb2);
}

TEST_F(CryptsetupLuks, ProbeRanksLuks2FirstOnThisKernel) {
  Volume volume = luks_volume("volume.luks", LuksVersion::luks2);
  CallOutcome answer = plugin.probe(volume_at(volume.device, "luks"));
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_PRIMARY) << answer.reason;
  EXPECT_EQ(answer.reason, "LUKS2: QEMU cannot decrypt LUKS2 natively; host dm-crypt mapping");
}

TEST_F(CryptsetupLuks, WrongPassphraseIsRefusedAndNothingIsOpened) {
  Volume volume = luks_volume("volume.luks", LuksVersion::luks1);
  const std::string wrong = random_passphrase();
  PrepareResult opened = plugin.prepare(volume_at(volume.device, "luks"), wrong);
  EXPECT_EQ(opened.result, VOLCRYPT_ERROR_WRONG_KEY);
  EXPECT_EQ(opened.error, "the passphrase is wrong for volume vol-guest (no key slot opens)");
  EXPECT_THAT(opened.error, Not(HasSubstr(wrong)));
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume.file, passphrase));
}

TEST_F(CryptsetupLuks, DataThatIsNotLuksIsRefusedAndLeftUnchanged) {
  const std::string file = scratch->file("data.img");
  std::string data(kVolumeSize, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  test_volumes::write_file(file, data);
  Volume volume = loop_over(file);

  VolumeRequest args = volume_at(volume.device, "luks");
  ASSERT_EQ(args.header_kind, uint32_t{VOLCRYPT_HEADER_OTHER});
  CallOutcome answer = plugin.probe(args);
  EXPECT_EQ(answer.result, VOLCRYPT_RANK_NONE);
  EXPECT_EQ(answer.reason, "the volume holds data that is not LUKS");

  PrepareResult opened = plugin.prepare(args, passphrase);
  EXPECT_EQ(opened.result, VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(opened.error,
            "volume '" + volume.device + "' holds data that is not LUKS; refusing to touch it");
  EXPECT_FALSE(path_exists(mapper_path(volume.mapping())));
  const std::vector<uint8_t> after = test_volumes::read_file(file);
  EXPECT_TRUE(std::equal(after.begin(), after.end(), data.begin(), data.end()))
      << "the volume changed";
}

TEST_F(CryptsetupLuks, BlankVolumeIsFormattedLuks1ForLuks) {
  Volume volume = blank_volume("blank.img");
  StateMap state = open(volume, "luks");
  EXPECT_EQ(state["format"], "luks1");
  EXPECT_EQ(state["formatted"], "yes");
  write_pattern(mapper_path(volume.mapping()), 0xc3, kPatternSize);
  expect_closed(state, volume);
  EXPECT_EQ(test_volumes::describe_luks(volume.file).type, "LUKS1");
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume.file, passphrase));
}

TEST_F(CryptsetupLuks, BlankVolumeIsFormattedLuks2ForLuks2) {
  Volume volume = blank_volume("blank.img");
  StateMap state = open(volume, "luks2");
  EXPECT_EQ(state["format"], "luks2");
  expect_closed(state, volume);
  EXPECT_EQ(test_volumes::describe_luks(volume.file).type, "LUKS2");
  EXPECT_TRUE(test_volumes::luks_passphrase_opens(volume.file, passphrase));
}

TEST_F(CryptsetupLuks, MappingUnderTheLegacyBasenameClosesByThatName) {
  Volume volume = luks_volume("volume.luks", LuksVersion::luks1);
  // os-brick's older releases opened the mapping under the device's bare basename.
  open_luks_mapping(volume.device, passphrase, volume.name);
  ASSERT_TRUE(path_exists(mapper_path(volume.name)));
  CallOutcome closed = plugin.release({{"mapping", volume.name}, {"device", volume.device}});
  EXPECT_EQ(closed.result, VOLCRYPT_OK) << closed.error;
  EXPECT_FALSE(path_exists(mapper_path(volume.name)));
}

TEST_F(CryptsetupLuks, RecordedPrefixedNameClosesAMappingOpenUnderTheLegacyName) {
  Volume volume = luks_volume("volume.luks", LuksVersion::luks1);
  open_luks_mapping(volume.device, passphrase, volume.name);
  CallOutcome closed = plugin.release({{"mapping", volume.mapping()}, {"device", volume.device}});
  EXPECT_EQ(closed.result, VOLCRYPT_OK) << closed.error;
  EXPECT_FALSE(path_exists(mapper_path(volume.name)));
}

TEST_F(CryptsetupLuks, ClosingTwiceSucceeds) {
  Volume volume = luks_volume("volume.luks", LuksVersion::luks1);
  StateMap state = open(volume, "luks");
  expect_closed(state, volume);
  expect_closed(state, volume);
}

TEST_F(CryptsetupLuks, BusyMappingIsRefusedAndStaysOpen) {
  Volume volume = luks_volume("volume.luks", LuksVersion::luks1);
  StateMap state = open(volume, "luks");
  const int holder = ::open(mapper_path(volume.mapping()).c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(holder, 0);
  CallOutcome busy = plugin.release(state);
  ::close(holder);
  EXPECT_EQ(busy.result, VOLCRYPT_ERROR_BUSY);
  EXPECT_EQ(busy.error, "mapping " + volume.mapping() + " is still in use; it was left open");
  EXPECT_TRUE(path_exists(mapper_path(volume.mapping())));
  expect_closed(state, volume);
}

}  // namespace
}  // namespace volcrypt::guest
