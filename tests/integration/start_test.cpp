// volcrypt start and ephemeral secrets against the real libvirtd and QEMU: a persistent
// domain whose secrets were dropped (as a host restart drops ephemeral ones) starts
// through `volcrypt start` and the guest reads the plaintext through QEMU; with
// `secrets = ephemeral` no file under /etc/libvirt/secrets ever holds the passphrase.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "integration_test.hpp"
#include "json_objects.hpp"
#include "operations/intent_journal.hpp"
#include "operations/stored_intents.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

constexpr int kPattern = 0x5a;
constexpr const char* kReadAll = "read 1048576/1048576 bytes at offset 0";

class Start : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    key_dir = path("keys");
    std::filesystem::create_directory(key_dir);
  }

  // A shut-off persistent domain with a LUKS volume attached to its config at sdb.
  std::unique_ptr<TestDomain> domain_with_volume(const std::string& prefix,
                                                 const std::vector<std::string>& global = {}) {
    auto domain = std::make_unique<TestDomain>(
        connection->get(), unique(prefix),
        DomainOptions{.persistent = true, .start = false, .serial_log = {}});
    volume = make_luks1_with_pattern(prefix + ".luks", kPattern);
    volume_id = unique(prefix + "vol");
    volume_ids.push_back(volume_id);
    std::vector<std::string> args = global;
    args.insert(args.end(), {"attach", "--domain", domain->name(), "--target", "sdb", "--source",
                             volume, "--volume-id", volume_id, "--provider", "luks",
                             "--passphrase-file", passphrase_file, "--config"});
    const ProcessResult r = volcrypt(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    test_volumes::write_file(key_dir + "/" + volume_id, passphrase);
    return domain;
  }

  // What a host restart does to an ephemeral secret: it is gone.
  std::string drop_secret() {
    const auto secrets = secrets_for_volume(connection->get(), volume_id);
    EXPECT_EQ(secrets.size(), 1u);
    if (secrets.empty()) return {};
    undefine_secret_if_present(connection->get(), secrets[0]);
    return secrets[0];
  }

  bool active(const TestDomain& domain) {
    virDomainPtr handle = virDomainLookupByName(connection->get(), domain.name().c_str());
    const bool running = handle != nullptr && virDomainIsActive(handle) == 1;
    if (handle != nullptr) virDomainFree(handle);
    return running;
  }

  void expect_no_secret_file_holds_the_passphrase() {
    EXPECT_EQ(secret_files_holding(passphrase), std::vector<std::string>{});
  }

  // No intent of an unfinished start is left for the domain.
  bool no_intents(const TestDomain& domain) {
    virDomainPtr handle = virDomainLookupByName(connection->get(), domain.name().c_str());
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    if (handle == nullptr || virDomainGetUUIDString(handle, uuid) < 0) return false;
    virDomainFree(handle);
    return read_intents(uuid).empty();
  }

  std::string ephemeral_config() {
    const std::string config = path("ephemeral.conf");
    test_volumes::write_file(config, "secrets = ephemeral\n");
    return config;
  }

  std::string key_dir;
  std::string volume;
  std::string volume_id;
};

TEST_F(Start, APersistentDomainWhoseSecretWasDroppedStartsAndTheGuestReadsThePlaintext) {
  auto domain = domain_with_volume("start");
  const std::string uuid = drop_secret();

  // libvirt alone cannot start it now (what `virsh start` says after a host restart).
  virDomainPtr handle = virDomainLookupByName(connection->get(), domain->name().c_str());
  ASSERT_NE(handle, nullptr);
  EXPECT_LT(virDomainCreate(handle), 0);
  const std::string refusal = virGetLastErrorMessage();
  EXPECT_THAT(refusal, HasSubstr("no secret with matching uuid '" + uuid + "'"));
  virDomainFree(handle);

  // check names the missing secret and the command that brings it back.
  ProcessResult r = volcrypt({"check", "--domain", domain->name(), "--json"});
  EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"kind\":\"missing_secret\""));
  EXPECT_THAT(r.out, HasSubstr("disk sdb (persistent config) names secret " + uuid +
                               ", which does not exist: QEMU cannot open it; volcrypt start "
                               "--domain " +
                               domain->name() +
                               " (or prepare --domain) defines it again from the key directory"));

  r = volcrypt({"start", "--domain", domain->name(), "--passphrase-dir", key_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_no_secret_in(r);
  EXPECT_EQ(r.out, "sdb: volume " + volume_id + " (qemu-native-luks): defined secret " + uuid +
                       "\nstarted domain '" + domain->name() + "'\n");
  EXPECT_TRUE(active(*domain));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), std::vector<std::string>{uuid});
  EXPECT_THAT(domain->read_pattern("sdb", kPattern, 1 << 20), HasSubstr(kReadAll));
  r = volcrypt({"check", "--domain", domain->name(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(objects_in_array(r.out, "findings").empty()) << r.out;
  EXPECT_TRUE(no_intents(*domain));
}

TEST_F(Start, JsonNamesEachDiskAndWhatWasDone) {
  auto domain = domain_with_volume("startjson");
  const std::string uuid = drop_secret();
  const ProcessResult r =
      volcrypt({"start", "--domain", domain->name(), "--passphrase-dir", key_dir, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "{\"domain\":\"" + domain->name() +
                       "\",\"started\":true,\"disks\":[{\"target\":\"sdb\",\"volume_id\":\"" +
                       volume_id +
                       "\",\"plugin\":\"qemu-native-luks\",\"action\":\"defined secret\","
                       "\"secret_uuid\":\"" +
                       uuid + "\"}]}\n");
}

TEST_F(Start, WithEphemeralSecretsNoFileOnTheHostHoldsThePassphrase) {
  const std::string config = ephemeral_config();
  // A hot attach to a running domain: the guest reads through an ephemeral secret.
  auto running = running_domain("eph-live");
  const std::string live_volume = make_luks1_with_pattern("eph-live.luks", kPattern);
  const std::string live_id = unique("ephlivevol");
  volume_ids.push_back(live_id);
  ProcessResult r = volcrypt({"--config", config, "attach", "--domain", running->name(), "--target",
                              "sdb", "--source", live_volume, "--volume-id", live_id, "--provider",
                              "luks", "--passphrase-file", passphrase_file, "--live"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto secrets = secrets_for_volume(connection->get(), live_id);
  ASSERT_EQ(secrets.size(), 1u);
  EXPECT_THAT(secret_xml(connection->get(), secrets[0]), HasSubstr("ephemeral='yes'"));
  EXPECT_THAT(running->read_pattern("sdb", kPattern, 1 << 20), HasSubstr(kReadAll));
  expect_no_secret_file_holds_the_passphrase();

  // A persistent domain: its secret, gone with the host's restart, comes back in memory.
  auto domain = domain_with_volume("eph-start", {"--config", config});
  const std::string uuid = drop_secret();
  r = volcrypt(
      {"--config", config, "start", "--domain", domain->name(), "--passphrase-dir", key_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(secret_xml(connection->get(), uuid), HasSubstr("ephemeral='yes'"));
  EXPECT_THAT(domain->read_pattern("sdb", kPattern, 1 << 20), HasSubstr(kReadAll));
  expect_no_secret_file_holds_the_passphrase();
}

TEST_F(Start, PrepareDefinesTheMissingSecretSoLibvirtStartsTheDomain) {
  auto domain = domain_with_volume("prepsecret");
  const std::string uuid = drop_secret();
  // The hook cannot ask libvirt which secrets exist: it has nothing to say about one.
  const std::string hook = std::string(VOLCRYPT_SOURCE_DIR) + "/packaging/libvirt-hook-qemu";
  const ProcessResult h =
      run_process({"sh", hook, domain->name(), "prepare", "begin", "-"}, domain->inactive_xml(),
                  {{"VOLCRYPT_PROGRAM", VOLCRYPT_BINARY}});
  EXPECT_EQ(h.exit_code, 0) << h.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());

  const ProcessResult r =
      volcrypt({"prepare", "--domain", domain->name(), "--passphrase-dir", key_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "sdb: volume " + volume_id + " (qemu-native-luks): defined secret " + uuid + "\n");
  domain->start();
  EXPECT_THAT(domain->read_pattern("sdb", kPattern, 1 << 20), HasSubstr(kReadAll));
}

TEST_F(Start, RefusalsNameWhatIsWrongAndChangeNothing) {
  auto domain = domain_with_volume("refuse");
  const std::string uuid = drop_secret();

  const std::string missing = unique("nosuch");
  ProcessResult r = volcrypt({"start", "--domain", missing, "--passphrase-dir", key_dir});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + missing + "' not found\n");

  r = volcrypt({"start", "--domain", domain->name(), "--passphrase-dir", path("nokeys")});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: key file '" + path("nokeys") + "/" + volume_id +
                       "' does not exist\n");
  r = volcrypt({"start", "--domain", domain->name()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: no key for volume " + volume_id +
                       ": give --key-dir or --passphrase-dir (or key-dir in the config)\n");
  EXPECT_FALSE(active(*domain));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_TRUE(no_intents(*domain));

  // A wrong passphrase: QEMU refuses to open the volume; what start made goes again.
  const std::string wrong_dir = path("wrongkeys");
  std::filesystem::create_directory(wrong_dir);
  test_volumes::write_file(wrong_dir + "/" + volume_id, "not the passphrase");
  r = volcrypt({"start", "--domain", domain->name(), "--passphrase-dir", wrong_dir});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err, HasSubstr("volcrypt: error: libvirt could not start domain '" +
                               domain->name() + "': "));
  EXPECT_THAT(r.err, HasSubstr("Invalid password, cannot unlock any keyslot"));
  EXPECT_THAT(r.err, HasSubstr("; volcrypt start removed what it made for it (secret " + uuid +
                               " of volume " + volume_id + ")\n"));
  EXPECT_FALSE(active(*domain));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_TRUE(no_intents(*domain));

  // Then with the right key it starts; started, it is refused.
  r = volcrypt({"start", "--domain", domain->name(), "--passphrase-dir", key_dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = volcrypt({"start", "--domain", domain->name(), "--passphrase-dir", key_dir});
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + domain->name() +
                       "' is already running; nothing was changed\n");
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), std::vector<std::string>{uuid});

  auto transient = running_domain("refuse-transient");
  r = volcrypt({"start", "--domain", transient->name(), "--passphrase-dir", key_dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + transient->name() +
                       "' is transient: volcrypt start starts a defined (persistent) domain; "
                       "nothing was changed\n");
}

}  // namespace
}  // namespace volcrypt::test
