// Hostile input against the real program and daemon: files that are not files (FIFOs,
// devices, directories), files far too large or deeply nested, paths and volume ids
// that would make libvirt or QEMU see something else than what was checked, a damaged
// LUKS header. Each gets its exact error and exit code at once (a FIFO is never waited
// on), and leaves nothing behind: no secret, no record, no disk.
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "integration_test.hpp"
#include "migration_fixture.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class HostileInput : public IntegrationTest {
 protected:
  std::vector<std::string> attach_args(const std::string& domain, const std::string& source,
                                       const std::string& volume_id) {
    return {"attach",       "--domain",    domain,    "--target",   "sdb",  "--source",
            source,         "--volume-id", volume_id, "--provider", "luks", "--passphrase-file",
            passphrase_file};
  }

  std::string fifo(const std::string& name) {
    const std::string file = path(name);
    EXPECT_EQ(::mkfifo(file.c_str(), 0600), 0);
    return file;
  }

  void expect_untouched(const TestDomain& domain, const std::string& volume_id) {
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), false).has_value());
    EXPECT_THAT(domain.live_xml(), Not(HasSubstr("<target dev='sdb'")));
  }

  // A program that waits on a FIFO nobody writes is killed at the hang deadline.
  void expect_usage_error(const std::vector<std::string>& args, const std::string& message) {
    ProcessResult r = volcrypt(args, {}, kHangDeadline);
    EXPECT_FALSE(r.hung) << r.err;
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, "volcrypt: error: " + message + "\n");
  }
};

TEST_F(HostileInput, ConfigFileThatIsNotAFileIsRefused) {
  expect_usage_error({"--config", "/dev/zero", "plugins"},
                     "config file '/dev/zero' is a character device, not a regular file");
  const std::string pipe = fifo("volcrypt.conf");
  expect_usage_error({"--config", pipe, "plugins"},
                     "config file '" + pipe + "' is a FIFO, not a regular file");
  const std::string dir = scratch->folder("conf.d");
  expect_usage_error({"--config", dir, "plugins"},
                     "config file '" + dir + "' is a directory, not a regular file");
  const std::string big = path("big.conf");
  test_volumes::make_blank_file(big, 100 * 1024 * 1024);
  expect_usage_error({"--config", big, "plugins"},
                     "config file '" + big + "' is larger than the limit of 1 MiB");
}

TEST_F(HostileInput, VolumeDescriptionThatIsNotAFileOrTooBigOrTooDeepIsRefused) {
  auto domain = running_domain("json");
  const std::string volume_id = unique("json");
  const std::string dir = scratch->folder("volume.json");
  const std::string pipe = fifo("pipe.json");
  const std::string big = path("big.json");
  test_volumes::make_blank_file(big, 100 * 1024 * 1024);
  const std::string deep = path("deep.json");
  test_volumes::write_file(deep, std::string(100000, '['));
  const std::vector<std::pair<std::string, std::string>> cases = {
      {dir, "volume description '" + dir + "' is a directory, not a regular file"},
      {pipe, "volume description '" + pipe + "' is a FIFO, not a regular file"},
      {big, "volume description '" + big + "' is larger than the limit of 1 MiB"},
      {deep, "volume description '" + deep + "' nests JSON deeper than the limit of 64 levels"},
  };
  for (const auto& [file, message] : cases) {
    expect_usage_error({"attach", "--domain", domain->name(), "--target", "sdb", "--volume-json",
                        file, "--passphrase-file", passphrase_file},
                       message);
    expect_usage_error({"probe", "--volume-json", file}, message);
  }
  expect_untouched(*domain, volume_id);
}

TEST_F(HostileInput, KeyFileThatIsNotAFileIsRefused) {
  auto domain = running_domain("key");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("key");
  volume_ids.push_back(volume_id);
  const std::string pipe = fifo("key.fifo");
  for (const auto& [option, file, message] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--passphrase-file", pipe, "key file '" + pipe + "' is a FIFO, not a regular file"},
           {"--key-file", "/dev/zero",
            "key file '/dev/zero' is a character device, not a regular file"},
           {"--passphrase-file", scratch->path().string(),
            "key file '" + scratch->path().string() + "' is a directory, not a regular file"}}) {
    auto args = attach_args(domain->name(), volume, volume_id);
    args.pop_back();
    args.pop_back();
    args.insert(args.end(), {option, file});
    expect_usage_error(args, message);
  }
  expect_untouched(*domain, volume_id);
}

TEST_F(HostileInput, KeyFileOthersCanReadIsWarnedAboutAndStillUsed) {
  auto domain = running_domain("open");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("open");
  volume_ids.push_back(volume_id);
  ::chmod(passphrase_file.c_str(), 0644);
  ProcessResult r = volcrypt(attach_args(domain->name(), volume, volume_id));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "volcrypt: warning: key file '" + passphrase_file +
                       "' can be read by group or others (mode 0644); only its owner should "
                       "read it (chmod 600)\n");
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HostileInput, DomainXmlThatIsNotAFileIsRefused) {
  const std::string pipe = fifo("domain.xml");
  const std::string empty = path("empty.xml");
  test_volumes::write_file(empty, "");
  for (const char* command : {"prepare", "release"}) {
    expect_usage_error({command, "--domain-xml", pipe},
                       "domain XML file '" + pipe + "' is a FIFO, not a regular file");
    expect_usage_error({command, "--domain-xml", "/dev/zero"},
                       "domain XML file '/dev/zero' is a character device, not a regular file");
    expect_usage_error({command, "--domain-xml", empty},
                       "domain XML file '" + empty + "' is empty");
  }
}

TEST_F(HostileInput, PluginFileLinkedToAFifoIsRefusedNotWaitedOn) {
  const std::string plugins = scratch->folder("plugins");
  std::filesystem::copy_file(std::string(VOLCRYPT_BUILD_PLUGIN_DIR) + "/qemu-native-luks.so",
                             plugins + "/qemu-native-luks.so");
  const std::string pipe = fifo("pipe");
  std::filesystem::create_symlink(pipe, plugins + "/a-fifo.so");
  ProcessResult r = volcrypt({"--plugin-dir", plugins, "plugins"}, {}, kHangDeadline);
  ASSERT_FALSE(r.hung) << r.err;
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(plugins + "/a-fifo.so: not a regular file (it is a FIFO)"));
  EXPECT_THAT(r.out, HasSubstr("qemu-native-luks"));
}

TEST_F(HostileInput, ControlCharacterInTheSourceIsRefusedBeforeAnythingIsMade) {
  auto domain = running_domain("ctl");
  const std::string volume_id = unique("ctl");
  volume_ids.push_back(volume_id);
  // libvirt would turn the newline into a space: QEMU would open another file.
  const std::string source = path("v\n.luks");
  expect_usage_error(attach_args(domain->name(), source, volume_id),
                     "volume path '" + path("v\\x0a.luks") + "' contains a control character");
  expect_untouched(*domain, volume_id);
}

TEST_F(HostileInput, BadVolumeIdsAreRefusedBeforeLibvirtIsTouched) {
  auto domain = running_domain("ids");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string rule =
      " may only contain A-Z a-z 0-9, space, '_', '.', '+' and '-' (libvirt's rule for a disk "
      "serial)";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"vol<1>", "volume id 'vol<1>'" + rule},
      {"vol\xff", "volume id 'vol\\xff' is not valid UTF-8"},
      {"a/../b", "volume id 'a/../b'" + rule},
      {std::string(37, 'v'), "volume id '" + std::string(37, 'v') + "' is longer than 36 bytes"},
  };
  for (const auto& [id, message] : cases) {
    expect_usage_error(attach_args(domain->name(), volume, id), message);
    EXPECT_TRUE(secrets_for_volume(connection->get(), id).empty());
  }
  expect_untouched(*domain, "vol<1>");
}

TEST_F(HostileInput, RelativeAndLinkedSourcesAreProbedRecordedAndAttachedCanonical) {
  auto domain = running_domain("canon");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string link = path("link.luks");
  std::filesystem::create_symlink(volume, link);
  const std::string volume_id = unique("canon");
  volume_ids.push_back(volume_id);

  ProcessResult r = volcrypt(
      {"probe", "--source", link, "--volume-id", volume_id, "--provider", "luks", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"source\":\"" + volume + "\""));

  // A relative --source, from another working directory than the program's.
  auto args = attach_args(domain->name(), "v.luks", volume_id);
  args.insert(args.begin(),
              {"sh", "-c", "cd \"$0\" && exec \"$@\"", scratch->path().string(), VOLCRYPT_BINARY});
  r = run_process(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("attached " + volume + " to "));
  EXPECT_THAT(domain->live_xml(), HasSubstr("<source file='" + volume + "'"));
  r = volcrypt({"list", "--domain", domain->name(), "--json"});
  EXPECT_THAT(r.out, HasSubstr("\"source\":\"" + volume + "\""));
  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HostileInput, DamagedLuksHeaderIsCalledDamagedNotAWrongPassphrase) {
  auto domain = running_domain("damaged");
  const std::string volume_id = unique("damaged");
  volume_ids.push_back(volume_id);

  const std::string cut = make_luks1_with_pattern("cut.luks", 0xab);
  std::filesystem::resize_file(cut, 592);
  ProcessResult r = volcrypt(attach_args(domain->name(), cut, volume_id));
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err, "volcrypt: error: the LUKS header of volume '" + cut +
                       "' is damaged (the volume ends after 592 bytes, before its data starts "
                       "at byte 2097152); it was left untouched\n");
  EXPECT_EQ(std::filesystem::file_size(cut), 592u);

  const std::string wiped = make_luks1_with_pattern("wiped.luks", 0xab);
  {
    std::fstream file(wiped, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(592);
    const std::string zeros(2097152 - 592, '\0');
    file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  auto config_args = attach_args(domain->name(), wiped, volume_id);
  r = volcrypt(config_args);
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err, "volcrypt: error: the LUKS header of volume '" + wiped +
                       "' is damaged (the key material of key slot 0 is all zero); it was left "
                       "untouched\n");
  expect_untouched(*domain, volume_id);
}

TEST_F(HostileInput, ConfigKeyDirIsWhereThePrepareHookFindsKeys) {
  // A dm-crypt record: prepare needs the key before the plugin runs. This kernel has no
  // dm-crypt, so the plugin stops at the blank volume; reaching it proves the key file
  // in the config's key-dir was read.
  const std::string volume = path("dm.img");
  test_volumes::make_blank_file(volume, 8 * 1024 * 1024);
  const std::string volume_id = unique("keydir");
  const std::string keys = scratch->folder("keys");
  const std::string config = path("volcrypt.conf");
  test_volumes::write_file(config, "key-dir = " + keys + "\n");
  const std::string domain_xml = path("domain.xml");
  test_volumes::write_file(
      domain_xml,
      "<domain type='kvm'><name>x</name><metadata><volcrypt:attachments "
      "xmlns:volcrypt='urn:volcrypt:record:1'><volcrypt:disk target='sdb' volume-id='" +
          volume_id + "' source='" + volume +
          "' provider='luks' plugin='cryptsetup-luks' plugin-version='1.0.0'><volcrypt:state "
          "key='mapping' value='crypt-dm.img'/></volcrypt:disk></volcrypt:attachments>"
          "</metadata></domain>");

  ProcessResult r = volcrypt({"--config", config, "prepare", "--domain-xml", domain_xml});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: key file '" + keys + "/" + volume_id + "' does not exist\n");

  const std::string key = keys + "/" + volume_id;
  test_volumes::write_file(key, std::string(32, '\x5a'));
  ::chmod(key.c_str(), 0600);
  r = volcrypt({"--config", config, "prepare", "--domain-xml", domain_xml});
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(r.err, "volcrypt: error: cryptsetup-luks: volume '" + volume +
                       "' is blank, but its record says it was opened before; refusing to "
                       "format it on a re-open\n");
}

// State paths are opened, not trusted: volcrypt pointed at a state and a lock folder of
// the test's own, in which the test puts what a confused operator or an attacker could.
class HostileStatePaths : public HostileInput {
 protected:
  void SetUp() override {
    HostileInput::SetUp();
    state = path("state");
    locks = path("locks");
  }

  // The program with this test's folders, killed should it wait far longer than any
  // attach takes (on main, a FIFO made it wait forever): a generous bound, not a timing.
  ProcessResult run_with_state(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"timeout", "-s", "KILL", "300", VOLCRYPT_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult r =
        run_process(argv, "", {{"VOLCRYPT_STATE_DIR", state}, {"VOLCRYPT_LOCK_DIR", locks}});
    expect_no_secret_in(r);
    return r;
  }

  // An attach whose state path `link` is a symbolic link to a folder: refused with
  // message, the folder left as it was, nothing attached.
  void expect_attach_refused_at_link(const std::string& link, const std::string& message) {
    auto domain = running_domain("link");
    const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
    const std::string volume_id = unique("link");
    volume_ids.push_back(volume_id);
    const std::string target = scratch->folder("elsewhere");
    std::filesystem::create_symlink(target, link);

    ProcessResult r = run_with_state(attach_args(domain->name(), volume, volume_id));
    EXPECT_EQ(r.exit_code, 10);
    EXPECT_EQ(r.err, "volcrypt: error: " + message + "\n");
    EXPECT_EQ(test_volumes::mode_of(target), 0755u);
    EXPECT_TRUE(std::filesystem::is_empty(target));
    expect_untouched(*domain, volume_id);
  }

  std::string state;
  std::string locks;
};

TEST_F(HostileStatePaths, AFifoWhereAnIntentIsWrittenIsReplacedAndTheAttachEnds) {
  auto domain = running_domain("fifo");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("fifo");
  volume_ids.push_back(volume_id);
  const std::string intents = state + "/intents";
  std::filesystem::create_directories(intents);
  std::filesystem::permissions(state, std::filesystem::perms(0700));
  std::filesystem::permissions(intents, std::filesystem::perms(0700));
  const std::string temporary =
      intents + "/" + domain_uuid(connection->get(), domain->name()) + ".sdb.intent.new";
  ASSERT_EQ(::mkfifo(temporary.c_str(), 0600), 0);

  ProcessResult r = run_with_state(attach_args(domain->name(), volume, volume_id));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Whole: the disk reads its plaintext, the record and the secret are there, and the
  // intent (and the FIFO in its temporary file's place) are gone.
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
  EXPECT_TRUE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  EXPECT_TRUE(std::filesystem::is_empty(intents));

  r = run_with_state({"detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  expect_untouched(*domain, volume_id);
}

TEST_F(HostileStatePaths, AnIntentsFolderThatIsALinkIsRefusedAndItsTargetKeepsItsMode) {
  std::filesystem::create_directories(state);
  std::filesystem::permissions(state, std::filesystem::perms(0700));
  expect_attach_refused_at_link(state + "/intents",
                                "intent folder '" + state + "/intents' is a symbolic link");
}

TEST_F(HostileStatePaths, ALockFolderThatIsALinkIsRefused) {
  expect_attach_refused_at_link(locks, "lock folder '" + locks + "' is a symbolic link");
}

}  // namespace
}  // namespace volcrypt::test
