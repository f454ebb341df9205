// Bad input gets a clear error (exact text and exit code) and loses nothing: the
// domain, the volume, the secrets and the record stay as they were.
#include <gmock/gmock.h>

#include <filesystem>

#include "host_tools.hpp"
#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class BadInput : public IntegrationTest {
 protected:
  std::vector<std::string> attach_args(const std::string& domain, const std::string& target,
                                       const std::string& source, const std::string& volume_id,
                                       const std::string& key_file) {
    return {"attach", "--domain",    domain,    "--target",   target, "--source",
            source,   "--volume-id", volume_id, "--provider", "luks", "--passphrase-file",
            key_file};
  }

  std::string wrong_passphrase_file() {
    std::string file = path("wrong-passphrase");
    test_volumes::write_file(file, passphrase + "-not");
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return file;
  }

  void expect_untouched(const TestDomain& domain, const std::string& volume_id, bool inactive) {
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), inactive).has_value());
    EXPECT_THAT(inactive ? domain.inactive_xml() : domain.live_xml(),
                Not(HasSubstr("<target dev='sdb'")));
  }
};

TEST_F(BadInput, WrongPassphraseOnLiveAttachLeavesNothingBehind) {
  auto domain = running_domain("wrongkey");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ProcessResult r =
      volcrypt(attach_args(domain->name(), "sdb", volume, volume_id, wrong_passphrase_file()));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "volcrypt: error: the passphrase is wrong for volume " + volume_id +
                       " (QEMU could not unlock any key slot)\n");
  expect_untouched(*domain, volume_id, false);
}

TEST_F(BadInput, WrongPassphraseOnConfigAttachIsCaughtBeforeBoot) {
  TestDomain domain(connection->get(), unique("wrongcfg"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto args = attach_args(domain.name(), "sdb", volume, volume_id, wrong_passphrase_file());
  args.push_back("--config");
  ProcessResult r = volcrypt(args);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "volcrypt: error: qemu-native-luks: the passphrase is wrong for volume " +
                       volume_id + " (no key slot opens)\n");
  expect_untouched(domain, volume_id, true);
}

TEST_F(BadInput, VolumeHoldingOtherDataIsRefusedAndUnchanged) {
  auto domain = running_domain("data");
  const std::string volume = path("data.img");
  std::string data(1024 * 1024, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 131 + 7) % 251);
  test_volumes::write_file(volume, data);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ProcessResult r =
      volcrypt(attach_args(domain->name(), "sdb", volume, volume_id, passphrase_file));
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_THAT(r.err, HasSubstr("volume '" + volume + "' holds data that is not LUKS"));
  EXPECT_THAT(r.err, HasSubstr("left untouched"));
  auto after = test_volumes::read_file(volume);
  EXPECT_TRUE(std::string(after.begin(), after.end()) == data) << "the volume was modified";
  expect_untouched(*domain, volume_id, false);
}

TEST_F(BadInput, Luks2VolumeHasNoNativePluginAndIsUnchanged) {
  auto domain = running_domain("luks2");
  const std::string volume = path("v2.luks");
  test_volumes::make_luks_volume(volume, test_volumes::LuksVersion::luks2, passphrase);
  auto before = test_volumes::read_file(volume);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ProcessResult r =
      volcrypt(attach_args(domain->name(), "sdb", volume, volume_id, passphrase_file));
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_THAT(r.err, HasSubstr("no plugin can serve provider 'luks' for this volume"));
  EXPECT_THAT(r.err, HasSubstr("qemu-native-luks: QEMU decrypts LUKS1 only; this volume is LUKS2"));
  EXPECT_TRUE(test_volumes::read_file(volume) == before);
  expect_untouched(*domain, volume_id, false);
}

TEST_F(BadInput, MissingDomainIsNamed) {
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string missing = unique("no-such-domain");
  ProcessResult r = volcrypt(attach_args(missing, "sdb", volume, unique("vol"), passphrase_file));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + missing + "' not found\n");
  ProcessResult d = volcrypt({"detach", "--domain", missing, "--target", "sdb"});
  EXPECT_EQ(d.exit_code, 3);
  EXPECT_EQ(d.err, "volcrypt: error: domain '" + missing + "' not found\n");
}

TEST_F(BadInput, MissingVolumeAndKeyFileAreNamed) {
  auto domain = running_domain("missing");
  const std::string absent = path("absent.img");
  ProcessResult r =
      volcrypt(attach_args(domain->name(), "sdb", absent, unique("vol"), passphrase_file));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: volume '" + absent + "' does not exist\n");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string no_key = path("no-key");
  r = volcrypt(attach_args(domain->name(), "sdb", volume, unique("vol"), no_key));
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: key file '" + no_key + "' does not exist\n");
}

TEST_F(BadInput, BusyTargetKeepsTheFirstAttachmentWhole) {
  auto domain = running_domain("busy");
  const std::string first = make_luks1_with_pattern("first.luks", 0xab);
  const std::string second = make_luks1_with_pattern("second.luks", 0xcd);
  const std::string first_id = unique("first");
  const std::string second_id = unique("second");
  volume_ids.push_back(first_id);
  volume_ids.push_back(second_id);
  ProcessResult r = volcrypt(attach_args(domain->name(), "sdb", first, first_id, passphrase_file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto record_before = volcrypt_metadata(connection->get(), domain->name(), false);

  r = volcrypt(attach_args(domain->name(), "sdb", second, second_id, passphrase_file));
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.err,
            "volcrypt: error: target 'sdb' is already in use in domain '" + domain->name() + "'\n");
  EXPECT_TRUE(secrets_for_volume(connection->get(), second_id).empty());
  EXPECT_EQ(secrets_for_volume(connection->get(), first_id).size(), 1u);
  EXPECT_EQ(volcrypt_metadata(connection->get(), domain->name(), false), record_before);
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
}

TEST_F(BadInput, DetachOfAnUnknownTargetIsNamed) {
  auto domain = running_domain("notarget");
  ProcessResult r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdz"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err,
            "volcrypt: error: domain '" + domain->name() + "' has no disk at target 'sdz'\n");
}

TEST_F(BadInput, RecordWhosePluginIsGoneChangesNothingThenDetachesOnceItIsBack) {
  // A copy of the program away from the build tree finds only the plugins it is told of.
  const std::string program = path("volcrypt");
  std::filesystem::copy_file(VOLCRYPT_BINARY, program);
  const std::string plugins = path("plugins");
  std::filesystem::create_directory(plugins);
  std::filesystem::permissions(plugins, std::filesystem::perms(0755));
  std::filesystem::copy_file(std::string(VOLCRYPT_BUILD_PLUGIN_DIR) + "/qemu-native-luks.so",
                             plugins + "/qemu-native-luks.so");

  auto domain = running_domain("noplugin");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto args = attach_args(domain->name(), "sdb", volume, volume_id, passphrase_file);
  args.insert(args.begin(), {"--plugin-dir", plugins});
  args.insert(args.begin(), program);
  ProcessResult r = run_process(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto record = volcrypt_metadata(connection->get(), domain->name(), false);

  std::filesystem::remove(plugins + "/qemu-native-luks.so");
  r = run_process(
      {program, "--plugin-dir", plugins, "detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_THAT(r.err, HasSubstr("plugin 'qemu-native-luks' recorded for target 'sdb' of domain '" +
                               domain->name() + "' is not installed (searched: " + plugins));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  EXPECT_EQ(volcrypt_metadata(connection->get(), domain->name(), false), record);
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));

  std::filesystem::copy_file(std::string(VOLCRYPT_BUILD_PLUGIN_DIR) + "/qemu-native-luks.so",
                             plugins + "/qemu-native-luks.so");
  r = run_process(
      {program, "--plugin-dir", plugins, "detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

TEST_F(BadInput, BrokenPluginsBesideTheRealOneDoNotStopAttach) {
  const std::string plugins = path("plugins");
  std::filesystem::create_directory(plugins);
  std::filesystem::permissions(plugins, std::filesystem::perms(0755));
  for (const auto& entry : std::filesystem::directory_iterator(VOLCRYPT_FIXTURE_DIR)) {
    if (entry.path().extension() == ".so") {
      std::filesystem::copy_file(entry.path(), plugins + "/" + entry.path().filename().string());
    }
  }
  auto domain = running_domain("broken");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto args = attach_args(domain->name(), "sdb", volume, volume_id, passphrase_file);
  args.insert(args.begin(), {"--plugin-dir", plugins});
  ProcessResult r = volcrypt(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));

  ProcessResult listing = volcrypt({"--plugin-dir", plugins, "plugins"});
  EXPECT_EQ(listing.exit_code, 0);
  EXPECT_THAT(listing.out, HasSubstr(plugins + "/not_a_plugin.so"));
  EXPECT_THAT(listing.out, HasSubstr("not a volcrypt plugin"));
  EXPECT_THAT(listing.out, HasSubstr("does not match the host's ABI"));
  EXPECT_THAT(listing.out, HasSubstr("qemu-native-luks"));
}

}  // namespace
}  // namespace volcrypt::test
