// volcrypt migrate between two real libvirt daemons on this machine: the system one
// (qemu:///system, the source) and a second one in its own mount namespace
// (support/second-libvirtd, the destination). The volume file is in /tmp, which both see.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "integration_test.hpp"
#include "json_objects.hpp"
#include "kill_points.hpp"
#include "operations/intent_journal.hpp"
#include "second_libvirtd.hpp"

namespace volcrypt::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string kReadOk = "read 1048576/1048576 bytes at offset 0";

// QEMU's migration data goes over loopback too; the destination picks the port.
const std::string kMigrateUri = "tcp://127.0.0.1";

std::string domain_uuid(virConnectPtr connection, const std::string& name) {
  virDomainPtr domain = virDomainLookupByName(connection, name.c_str());
  char uuid[VIR_UUID_STRING_BUFLEN] = "";
  if (domain != nullptr) {
    virDomainGetUUIDString(domain, uuid);
    virDomainFree(domain);
  }
  return uuid;
}

// Intent files of this domain left on this host (also a temporary one that a kill left
// before its rename: recover removes those too).
std::vector<std::string> intents_of(const std::string& domain_uuid) {
  std::vector<std::string> out;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(intent_directory(), error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(domain_uuid)) out.push_back(entry.path());
  }
  return out;
}

// libvirt keeps a persistent secret's value as base64 in its secrets folder.
std::string base64(const std::string& text) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    uint32_t n = (uint8_t(text[i]) << 16) | (uint8_t(text[i + 1]) << 8) | uint8_t(text[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += digits[(n >> shift) & 63];
  }
  if (size_t rest = text.size() - i; rest > 0) {
    uint32_t n = uint8_t(text[i]) << 16 | (rest == 2 ? uint8_t(text[i + 1]) << 8 : 0);
    out += digits[(n >> 18) & 63];
    out += digits[(n >> 12) & 63];
    out += rest == 2 ? digits[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

class Migration : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    destination = std::make_unique<SecondLibvirtd>();
    key_dir = scratch->folder("keys");
  }
  void TearDown() override {
    IntegrationTest::TearDown();
    destination.reset();
  }

  // A running domain with a native LUKS disk at sdb whose plaintext starts with 0xab.
  std::unique_ptr<TestDomain> domain_with_luks_disk() {
    auto domain = running_domain("mig");
    volume_id = unique("mig-vol");
    volume_ids.push_back(volume_id);
    const std::string volume = make_luks1_with_pattern(volume_id + ".luks", 0xab);
    ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--source",
                                volume, "--volume-id", volume_id, "--provider", "luks",
                                "--passphrase-file", passphrase_file});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // The key source of migrate: one passphrase file per volume id.
    test_volumes::write_file(key_dir + "/" + volume_id, passphrase);
    std::filesystem::permissions(
        key_dir + "/" + volume_id,
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return domain;
  }

  std::vector<std::string> migrate_args(const std::string& domain) const {
    return {"migrate",          "--domain",         domain,     "--dest-uri",
            destination->uri(), "--live",           "--unsafe", "--migrate-uri",
            kMigrateUri,        "--passphrase-dir", key_dir,    "--json"};
  }

  ProcessResult migrate(const std::string& domain) { return volcrypt(migrate_args(domain)); }

  std::unique_ptr<SecondLibvirtd> destination;
  std::string key_dir;
  std::string volume_id;
};

TEST_F(Migration, LiveDomainWithNativeLuksDiskMovesWithItsSecretAndRecord) {
  auto domain = domain_with_luks_disk();
  ASSERT_EQ(domain->read_pattern("sdb", 0xab, 1 << 20), kReadOk) << "before, on the source";
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  const std::string uuid = domain_uuid(connection->get(), domain->name());
  const auto record = volcrypt_metadata(connection->get(), domain->name(), false);
  ASSERT_TRUE(record.has_value());

  ProcessResult r = migrate(domain->name());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::cout << "migrated: " << r.out;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["domain"], domain->name());
  EXPECT_EQ(out["domain_uuid"], uuid);
  EXPECT_EQ(out["destination"], destination->uri());
  EXPECT_EQ(out["migrated"], true);
  EXPECT_EQ(out["live"], true);
  EXPECT_EQ(out["persistent"], false);
  ASSERT_EQ(out["disks"].size(), 1u);
  EXPECT_EQ(out["disks"][0]["target"], "sdb");
  EXPECT_EQ(out["disks"][0]["volume_id"], volume_id);
  EXPECT_EQ(out["disks"][0]["plugin"], "qemu-native-luks");
  EXPECT_EQ(out["disks"][0]["secret"], secrets[0]);
  EXPECT_EQ(out["disks"][0]["destination"], "defined");
  EXPECT_EQ(out["disks"][0]["source"], "released");

  // The destination runs it, reads the plaintext through its own QEMU, and holds the
  // secret (same uuid, same value) and the record.
  auto moved =
      TestDomain::existing(destination->connection(), domain->name(), destination->qemu_log_dir());
  EXPECT_EQ(moved->read_pattern("sdb", 0xab, 1 << 20), kReadOk) << "after, on the destination";
  EXPECT_EQ(secrets_for_volume(destination->connection(), volume_id), secrets);
  const auto stored =
      test_volumes::read_file(destination->secret_dir() + "/" + secrets[0] + ".base64");
  // Compared without printing either side: the passphrase never shows in test output.
  EXPECT_TRUE(std::string(stored.begin(), stored.end()) == base64(passphrase))
      << "the destination's secret does not hold the volume's passphrase";
  EXPECT_EQ(volcrypt_metadata(destination->connection(), domain->name(), false), record);
  EXPECT_THAT(secret_xml(destination->connection(), secrets[0]),
              HasSubstr("<volume>" + volume_id + "</volume>"));

  // Nothing is left behind on the source: no domain, no secret, no intent.
  EXPECT_FALSE(domain_exists(connection->get(), domain->name()));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_TRUE(intents_of(uuid).empty());
}

TEST_F(Migration, RefusedByTheDestinationLeavesBothSidesAsTheyWere) {
  auto domain = domain_with_luks_disk();
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  const std::string uuid = domain_uuid(connection->get(), domain->name());
  const auto record = volcrypt_metadata(connection->get(), domain->name(), false);
  const std::string live_xml = domain->live_xml();
  // The destination refuses: a domain of that name, with another uuid, is defined there.
  TestDomain blocker(destination->connection(), domain->name(),
                     DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  const std::string blocker_xml = blocker.inactive_xml();
  const std::string blocker_uuid = domain_uuid(destination->connection(), domain->name());

  ProcessResult r = migrate(domain->name());
  EXPECT_EQ(r.exit_code, 9) << r.out;
  EXPECT_EQ(r.err, "volcrypt: error: cannot migrate domain '" + domain->name() + "' to " +
                       destination->uri() + ": operation failed: domain '" + domain->name() +
                       "' already exists with uuid " + blocker_uuid + "\n");
  std::cout << "refused migration: " << r.err;

  // The source as it was: running, reading its plaintext, same secret, record and XML.
  EXPECT_EQ(domain->read_pattern("sdb", 0xab, 1 << 20), kReadOk);
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_EQ(volcrypt_metadata(connection->get(), domain->name(), false), record);
  EXPECT_EQ(domain->live_xml(), live_xml);
  EXPECT_TRUE(intents_of(uuid).empty());
  // The destination as it was: only its own domain, unchanged, and no secret.
  EXPECT_THAT(domain_names(destination->connection()), ElementsAre(domain->name()));
  EXPECT_EQ(blocker.inactive_xml(), blocker_xml);
  EXPECT_TRUE(secrets_for_volume(destination->connection(), volume_id).empty());
  EXPECT_TRUE(std::filesystem::is_empty(destination->secret_dir()));
}

// Kill points: the real `volcrypt migrate` is killed with SIGKILL as it enters one of
// its steps (support/kill_points.hpp), spread over the whole run; `volcrypt recover`
// then finishes the migration (the domain runs at the destination: this host keeps no
// secret) or undoes it (it runs here: the destination keeps no secret), and leaves no
// intent and nothing `check` reports about the volume.
TEST_F(Migration, KilledAnywhereRecoverFinishesOrUndoesIt) {
  auto first = domain_with_luks_disk();
  std::vector<std::string> argv = migrate_args(first->name());
  argv.insert(argv.begin(), VOLCRYPT_BINARY);
  const TracedRun whole = run_traced(argv);
  ASSERT_EQ(whole.result.exit_code, 0) << whole.result.err;
  const auto moved_first =
      TestDomain::existing(destination->connection(), first->name(), destination->qemu_log_dir());
  std::cout << "an untouched migrate: " << kill_point_summary(whole.step_names) << "\n";
  std::vector<int> kill_points;
  for (int quarter = 0; quarter <= 4; ++quarter) {
    const int step = std::max(1, whole.steps * quarter / 4);
    if (kill_points.empty() || kill_points.back() != step) kill_points.push_back(step);
  }

  for (int kill_at : kill_points) {
    SCOPED_TRACE("killed at step " + std::to_string(kill_at));
    auto domain = domain_with_luks_disk();
    const std::string uuid = domain_uuid(connection->get(), domain->name());
    argv = migrate_args(domain->name());
    argv.insert(argv.begin(), VOLCRYPT_BINARY);
    const TracedRun killed = run_traced(argv, kill_at);
    // The number of RPCs varies a little between runs (libvirt polls the job): a run
    // with fewer steps than the untouched one ends before the last kill point.
    if (!killed.killed) {
      EXPECT_EQ(killed.result.exit_code, 0) << killed.result.err;
    }
    const ProcessResult recover = volcrypt({"recover", "--json"});
    const bool moved = domain_exists(destination->connection(), domain->name());
    std::cout << "killed at step " << kill_at << " ("
              << (killed.killed ? killed.step_names.back() : "never: it ran to its end")
              << "): " << (moved ? "the migration is finished" : "recover undid it") << "\n";
    EXPECT_TRUE(intents_of(uuid).empty());
    const ProcessResult check = volcrypt({"check", "--json"});
    for (const auto& finding : objects_in_array(check.out, "findings")) {
      EXPECT_EQ(finding.find(volume_id), std::string::npos) << finding << "; " << recover.out;
    }
    if (moved) {
      auto there = TestDomain::existing(destination->connection(), domain->name(),
                                        destination->qemu_log_dir());
      EXPECT_FALSE(domain_exists(connection->get(), domain->name()));
      EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty()) << recover.out;
      EXPECT_EQ(secrets_for_volume(destination->connection(), volume_id).size(), 1u);
      EXPECT_EQ(there->read_pattern("sdb", 0xab, 1 << 20), kReadOk);
    } else {
      EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
      EXPECT_TRUE(secrets_for_volume(destination->connection(), volume_id).empty()) << recover.out;
      EXPECT_EQ(domain->read_pattern("sdb", 0xab, 1 << 20), kReadOk);
    }
  }
}
}  // namespace
}  // namespace volcrypt::test

namespace volcrypt::test {
namespace {

// What needs no destination daemon: bad requests, the refusal of migrate-finish while
// the domain still runs here, and the hook's migrate event.
class MigrationCommands : public IntegrationTest {};

TEST_F(MigrationCommands, BadRequestsAreNamedAndChangeNothing) {
  ProcessResult r = volcrypt({"migrate", "--domain", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "volcrypt: error: the option '--dest-uri' is required but missing (see 'volcrypt "
            "migrate --help')\n");
  const std::string missing = unique("missing");
  r = volcrypt({"migrate", "--domain", missing, "--dest-uri", "qemu+tcp://127.0.0.1:1/system"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + missing + "' not found\n");
  r = volcrypt({"migrate-finish", "--domain-xml", "-"}, "<domain><name>x</name></domain>");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: the domain XML has no <uuid>\n");
}

TEST_F(MigrationCommands, FinishIsRefusedWhileTheDomainStillRunsHere) {
  auto domain = running_domain("stay");
  const std::string volume_id = unique("stay-vol");
  volume_ids.push_back(volume_id);
  ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--source",
                              make_luks1_with_pattern("v.luks", 0xab), "--volume-id", volume_id,
                              "--provider", "luks", "--passphrase-file", passphrase_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  r = volcrypt({"migrate-finish", "--domain-xml", "-"}, domain->live_xml());
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.err, "volcrypt: error: domain '" + domain->name() +
                       "' still runs on this host; migrate-finish releases what it left only "
                       "after it moved away\n");
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_EQ(domain->read_pattern("sdb", 0xab, 1 << 20), kReadOk);

  // libvirt would take anything the hook prints for "migrate" as the incoming XML.
  const std::string hook = std::string(VOLCRYPT_SOURCE_DIR) + "/packaging/libvirt-hook-qemu";
  ProcessResult h = run_process({"sh", hook, domain->name(), "migrate", "begin", "-"},
                                domain->live_xml(), {{"VOLCRYPT_PROGRAM", VOLCRYPT_BINARY}});
  EXPECT_EQ(h.exit_code, 0) << h.err;
  EXPECT_EQ(h.out, "");
  EXPECT_EQ(h.err, "sdb: volume " + volume_id + " (qemu-native-luks): nothing to do\n");
}

}  // namespace
}  // namespace volcrypt::test
