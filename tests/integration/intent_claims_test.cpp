// Intents are claims, not orders: an intent belongs to its domain's uuid (a domain made
// since under the same name is another), an undo removes only the very secret its
// operation created, a file whose content names another domain is not replayed, and an
// attach never writes into a secret it did not create (with `secrets = ephemeral`, never
// into one that lives on the host's disk). Each against the real daemon.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>

#include <filesystem>
#include <fstream>

#include "domain/secret_xml.hpp"
#include "integration_test.hpp"
#include "json_objects.hpp"
#include "kill_points.hpp"
#include "migration_fixture.hpp"
#include "operations/intent_journal.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kPattern = 0xc3;
constexpr const char* kTarget = "sdb";
const std::string kReadAll = "read 1048576/1048576 bytes at offset 0";

class IntentClaims : public IntegrationTest {
 protected:
  std::vector<std::string> attach_args(const std::string& domain, const std::string& volume,
                                       const std::string& volume_id) const {
    return {"attach", "--domain",          domain,          "--target",    kTarget,   "--bus",
            "scsi",   "--source",          volume,          "--volume-id", volume_id, "--provider",
            "luks",   "--passphrase-file", passphrase_file, "--live"};
  }

  std::vector<std::string> with_program(std::vector<std::string> args) const {
    args.insert(args.begin(), VOLCRYPT_BINARY);
    return args;
  }

  // A volume of this test: a LUKS1 file and its volume id, whose secrets go after the test.
  std::pair<std::string, std::string> volume(const std::string& name) {
    const std::string id = unique(name);
    volume_ids.push_back(id);
    return {make_luks1_with_pattern(name + ".luks", kPattern), id};
  }

  void attach_ok(const std::string& domain, const std::string& source, const std::string& id) {
    const ProcessResult r = volcrypt(attach_args(domain, source, id));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static std::string file_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // A secret with volcrypt's own mark, as volcrypt (or an older build) leaves one.
  std::string define_volcrypt_secret(const std::string& volume_id, bool ephemeral) {
    const std::string xml =
        "<secret ephemeral='" + std::string(ephemeral ? "yes" : "no") +
        "' private='yes'><description>" + volcrypt_secret_description(volume_id) +
        "</description><usage type='volume'><volume>" + volume_id + "</volume></usage></secret>";
    virSecretPtr secret = virSecretDefineXML(connection->get(), xml.c_str(), 0);
    EXPECT_NE(secret, nullptr);
    if (secret == nullptr) return {};
    virSecretSetValue(secret, reinterpret_cast<const unsigned char*>("orphan"), 6, 0);
    char uuid[VIR_UUID_STRING_BUFLEN] = {};
    virSecretGetUUIDString(secret, uuid);
    virSecretFree(secret);
    return uuid;
  }

  std::string ephemeral_config() {
    const std::string config = path("ephemeral.conf");
    test_volumes::write_file(config, "secrets = ephemeral\n");
    return config;
  }
};

// Defect: a detach killed after its intent, its transient domain destroyed, a new domain of
// the same name given the same volume; recover obeyed the old intent on the new domain.
TEST_F(IntentClaims, ADomainMadeAgainUnderTheSameNameKeepsItsDiskRecordAndSecretThroughRecover) {
  const auto [source, volume_id] = volume("renamed");
  auto first = running_domain("samename");
  const std::string name = first->name();
  attach_ok(name, source, volume_id);
  const std::string old_uuid = domain_uuid(connection->get(), name);

  const TracedRun killed = run_traced_around(
      with_program({"detach", "--domain", name, "--target", kTarget}), kUnplugDisk);
  ASSERT_TRUE(killed.killed) << killed.result.err;
  ASSERT_EQ(intents_of(old_uuid).size(), 1u) << "the kill should have left the detach's intent";
  first.reset();  // a transient domain destroyed is gone

  auto second = std::make_unique<TestDomain>(connection->get(), name, DomainOptions{});
  const std::string new_uuid = domain_uuid(connection->get(), name);
  ASSERT_NE(new_uuid, old_uuid);
  attach_ok(name, source, volume_id);
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  // The domain called that now has no interrupted operation.
  ProcessResult r = volcrypt({"check", "--domain", name, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("stale_intent")));
  r = volcrypt({"recover", "--domain", name, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  // Host-wide the old intent is reported as the gone domain's, and finished without
  // touching the new domain.
  r = volcrypt({"recover", "--dry-run", "--json"});
  bool described = false;
  for (const auto& action : objects_in_array(r.out, "actions")) {
    if (!has_field(action, "volume_id", volume_id)) continue;
    EXPECT_TRUE(has_field(action, "action", "would finish detach")) << action;
    EXPECT_THAT(action, HasSubstr("(its domain is gone)")) << action;
    described = true;
  }
  EXPECT_TRUE(described) << r.out << r.err;
  r = volcrypt({"recover", "--json"});
  EXPECT_THAT(r.out, HasSubstr("finished an interrupted detach of target sdb (its domain is gone"));

  EXPECT_TRUE(intents_of(old_uuid).empty()) << "recover left the gone domain's intent";
  EXPECT_TRUE(has_disk(connection->get(), name, kTarget, false));
  EXPECT_TRUE(has_record(connection->get(), name, kTarget, false));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_THAT(second->read_pattern(kTarget, kPattern, 1 << 20), HasSubstr(kReadAll));
  r = volcrypt({"check", "--domain", name, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = volcrypt({"detach", "--domain", name, "--target", kTarget});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

// Defect: an attach killed after its intent whose secret was then replaced by someone
// else's with the same usage; recover "rolled back" by removing the stranger's secret.
TEST_F(IntentClaims, AnUndoneAttachLeavesASecretItDidNotCreate) {
  const auto [source, volume_id] = volume("replaced");
  auto domain = running_domain("replaced");
  const TracedRun killed =
      run_traced_around(with_program(attach_args(domain->name(), source, volume_id)), kPlugDisk);
  ASSERT_TRUE(killed.killed) << killed.result.err;
  const auto made = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(made.size(), 1u) << "the kill should have left the attach's secret";
  undefine_secret_if_present(connection->get(), made[0]);
  const std::string stranger = define_secret(connection->get(), volume_id, "someone else's");

  const ProcessResult r = volcrypt({"recover", "--domain", domain->name(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"action\":\"rolled back attach\""));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), std::vector<std::string>{stranger})
      << "the undo removed a secret its attach did not create";
  EXPECT_FALSE(has_disk(connection->get(), domain->name(), kTarget, false));
}

// Defect: a start intent naming an operator's secret made recover undefine it.
TEST_F(IntentClaims, AStartIntentNamingAnotherSecretDoesNotRemoveIt) {
  auto domain = std::make_unique<TestDomain>(
      connection->get(), unique("startclaim"),
      DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  const std::string uuid = domain_uuid(connection->get(), domain->name());
  const std::string volume_id = unique("operatorvol");
  volume_ids.push_back(volume_id);
  const std::string operators = define_secret(connection->get(), volume_id, "the operator's");

  std::filesystem::create_directories(volcrypt::intent_directory());
  test_volumes::write_file(
      volcrypt::intent_directory() + "/" + uuid + "._start.intent",
      "{\"operation\":\"start\",\"domain\":\"" + domain->name() + "\",\"domain_uuid\":\"" + uuid +
          "\",\"target\":\"\",\"pid\":1,\"secrets_to_define\":[{\"uuid\":\"" + operators +
          "\",\"volume_id\":\"" + volume_id + "\",\"target\":\"sdb\"}],\"devices_to_open\":[]}\n");
  const ProcessResult r = volcrypt({"recover", "--domain", domain->name(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"action\":\"rolled back start\""));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), std::vector<std::string>{operators});
  EXPECT_TRUE(intents_of(uuid).empty());
}

// Defect: an intent file under one domain's name whose content names another domain's
// secret made the next command on the first domain remove it, while the other domain's
// running disk used it.
TEST_F(IntentClaims, AnIntentFileNamingAnotherDomainsSecretIsNotObeyed) {
  const auto [source, volume_id] = volume("victim");
  auto victim = running_domain("victim");
  attach_ok(victim->name(), source, volume_id);
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  auto first = running_domain("first");
  const std::string first_uuid = domain_uuid(connection->get(), first->name());
  const std::string victim_uuid = domain_uuid(connection->get(), victim->name());
  const std::string record = "{\"target\":\"sdb\",\"volume_id\":\"" + volume_id +
                             "\",\"source\":\"" + source +
                             "\",\"provider\":\"luks\",\"plugin\":\"qemu-native-luks\","
                             "\"plugin_version\":\"1\",\"state\":{\"secret-uuid\":\"" +
                             secrets[0] + "\"}}";
  const auto intent = [&](const std::string& uuid) {
    return "{\"operation\":\"attach\",\"domain\":\"" + first->name() + "\",\"domain_uuid\":\"" +
           uuid +
           "\",\"target\":\"sdb\",\"pid\":1,\"live\":true,\"config\":false,\"record\":" + record +
           ",\"prepared\":true,\"disk_xml\":\"\",\"secret_made\":\"" + secrets[0] + "\"}\n";
  };
  const std::string file = volcrypt::intent_directory() + "/" + first_uuid + ".sdb.intent";
  std::filesystem::create_directories(volcrypt::intent_directory());

  // Its content names the other domain: reported, never replayed.
  test_volumes::write_file(file, intent(victim_uuid));
  ProcessResult r = volcrypt({"check", "--domain", first->name(), "--json"});
  EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("it is an intent of domain " + victim_uuid));
  r = volcrypt({"recover", "--domain", first->name(), "--json"});
  EXPECT_THAT(r.out, HasSubstr("it is not replayed"));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);

  // Its content names this domain but the other's secret: the secret is still used.
  test_volumes::write_file(file, intent(first_uuid));
  r = volcrypt({"recover", "--domain", first->name(), "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets)
      << "a replay removed a secret another domain's running disk uses";
  EXPECT_TRUE(intents_of(first_uuid).empty());
  EXPECT_THAT(victim->read_pattern(kTarget, kPattern, 1 << 20), HasSubstr(kReadAll));
}

// Defect: with `secrets = ephemeral` an attach wrote the passphrase into an operator's
// persistent secret of the volume's usage, and so onto the host's disk.
TEST_F(IntentClaims, AnAttachNeverWritesIntoAnotherSecretAndEphemeralStaysOffTheDisk) {
  const std::string config = ephemeral_config();
  const auto [source, volume_id] = volume("ephemeralclaim");
  auto domain = running_domain("ephclaim");
  const std::string operators = define_secret(connection->get(), volume_id, "the operator's");
  const std::string stored = path("stored-before");
  const std::string secret_file = "/etc/libvirt/secrets/" + operators + ".base64";
  const std::string before = file_text(secret_file);
  ASSERT_FALSE(before.empty()) << "libvirt keeps a persistent secret at " << secret_file;

  auto args = attach_args(domain->name(), source, volume_id);
  args.insert(args.begin(), {"--config", config});
  ProcessResult r = volcrypt(args);
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_EQ(r.err, "volcrypt: error: qemu-native-luks: libvirt secret " + operators +
                       " already has the usage of volume " + volume_id +
                       " and was not made by volcrypt; volcrypt never writes into another's "
                       "secret: remove it, or attach the volume under another volume id\n");
  EXPECT_EQ(file_text(secret_file), before) << "the operator's secret was written";
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), std::vector<std::string>{operators});
  EXPECT_FALSE(has_disk(connection->get(), domain->name(), kTarget, false));
  EXPECT_EQ(secret_files_holding(passphrase), std::vector<std::string>{});

  // volcrypt's own unused secret (an orphan) is replaced by an ephemeral one, not written.
  undefine_secret_if_present(connection->get(), operators);
  const std::string orphan = define_volcrypt_secret(volume_id, false);
  r = volcrypt(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto now = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now[0], orphan);
  EXPECT_THAT(secret_xml(connection->get(), now[0]), HasSubstr("ephemeral='yes'"));
  EXPECT_THAT(domain->read_pattern(kTarget, kPattern, 1 << 20), HasSubstr(kReadAll));
  EXPECT_EQ(secret_files_holding(passphrase), std::vector<std::string>{});
  r = volcrypt({"--config", config, "detach", "--domain", domain->name(), "--target", kTarget});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_EQ(secret_files_holding(passphrase), std::vector<std::string>{});
}

}  // namespace
}  // namespace volcrypt::test
