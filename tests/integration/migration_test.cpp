// volcrypt migrate between two real libvirt daemons on this machine: the system one
// (qemu:///system, the source) and a second one in its own mount namespace
// (support/second-libvirtd, the destination). The volume file is in /tmp, which both see.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "host_debris.hpp"
#include "json_objects.hpp"
#include "key_leaks.hpp"
#include "kill_point_sample.hpp"
#include "kill_points.hpp"
#include "migration_fixture.hpp"

namespace volcrypt::test {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class Migration : public MigrationTest {
 protected:
  std::vector<std::string> migrate_args(const std::string& domain) const {
    return {"migrate",          "--domain",         domain,     "--dest-uri",
            destination->uri(), "--live",           "--unsafe", "--migrate-uri",
            kMigrateUri,        "--passphrase-dir", key_dir,    "--json"};
  }

  ProcessResult migrate(const std::string& domain) { return volcrypt(migrate_args(domain)); }
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
  EXPECT_TRUE(destination_secret_holds_passphrase(secrets[0]))
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
// its steps (support/kill_points.hpp): every step of the reference run, or a seeded
// sample with VOLCRYPT_KILL_SEED (kill_point_sample.hpp). Each kill point must kill the
// step the reference run made there. `volcrypt recover` then finishes the migration (the
// domain runs at the destination: this host keeps no secret) or undoes it (it runs here:
// the destination keeps no secret), exits 0, and leaves no intent, no debris and nothing
// `check` reports about the domain or its volume; the domain runs in exactly one place
// and its guest reads the plaintext there.

// With VOLCRYPT_KILL_SEED, every kMigrateKillStride-th step (with the first and the last).
constexpr int kMigrateKillStride = 4;

TEST_F(Migration, KilledAnywhereRecoverFinishesOrUndoesIt) {
  const OwnRegistryCache cache(scratch->folder("registry-cache"), VOLCRYPT_BINARY);
  auto first = domain_with_luks_disk();
  std::vector<std::string> argv = migrate_args(first->name());
  argv.insert(argv.begin(), VOLCRYPT_BINARY);
  // The destination's secret is defined and set, the domain moves (one RPC to the source
  // daemon) and the source's secret is removed.
  const TracedRun whole =
      reference_run(argv, {kDefineSecret, kSetSecretValue, kMigrateDomain, kUndefineSecret});
  ASSERT_EQ(whole.result.exit_code, 0) << whole.result.err;
  EXPECT_THAT(views_holding(whole, passphrase), ::testing::IsEmpty());
  const auto moved_first =
      TestDomain::existing(destination->connection(), first->name(), destination->qemu_log_dir());
  std::cout << "an untouched migrate: " << kill_point_summary(whole.step_names) << "\n";
  for (size_t i = 0; i < whole.step_names.size(); ++i) {
    std::cout << "migrate step " << i + 1 << ": " << whole.step_names[i] << "\n";
  }
  const KillPointChoice choice = sampled_kill_points(whole.steps, kMigrateKillStride);
  std::cout << "killing migrate at " << choice.points.size() << " of " << whole.steps << " steps ("
            << choice.how << ")\n";
  RecordProperty("kill_points", static_cast<int>(choice.points.size()));

  std::vector<std::string> domains = {first->name()};
  for (int kill_at : choice.points) {
    SCOPED_TRACE("killed at step " + std::to_string(kill_at));
    auto domain = domain_with_luks_disk();
    domains.push_back(domain->name());
    const std::string uuid = domain_uuid(connection->get(), domain->name());
    argv = migrate_args(domain->name());
    argv.insert(argv.begin(), VOLCRYPT_BINARY);
    const TracedRun killed = run_traced_at(argv, whole, kill_at);
    EXPECT_EQ(wrong_kill_point(whole, killed, kill_at), "");
    EXPECT_THAT(views_holding(killed, passphrase), ::testing::IsEmpty());
    expect_no_secret_in(killed.result);
    const ProcessResult recover = volcrypt({"recover", "--json"});
    const bool here = domain_exists(connection->get(), domain->name());
    const bool there = domain_exists(destination->connection(), domain->name());
    std::cout << "killed at step " << kill_at << " ("
              << (killed.killed ? killed.step_names.back() : "never: it ran to its end")
              << "): " << (there ? "the migration is finished" : "recover undid it")
              << "; recover exit " << recover.exit_code << "\n";
    const auto names_ours = [&](const std::string& text) {
      return text.find(volume_id) != std::string::npos ||
             text.find(domain->name()) != std::string::npos || text.find(uuid) != std::string::npos;
    };
    // 0 when clean; 11 only for what other tests on this host left (README: recover).
    const auto left = objects_in_array(recover.out, "remaining");
    EXPECT_TRUE(recover.exit_code == 0 || (recover.exit_code == 11 && !left.empty()))
        << recover.out << recover.err;
    for (const auto& finding : left) EXPECT_FALSE(names_ours(finding)) << finding;
    EXPECT_THAT(debris_after_recover(uuid, domain->name()), ::testing::IsEmpty());
    const ProcessResult check = volcrypt({"check", "--json"});
    const auto findings = objects_in_array(check.out, "findings");
    EXPECT_TRUE(check.exit_code == 0 || (check.exit_code == 11 && !findings.empty()))
        << check.out << check.err;
    for (const auto& finding : findings) EXPECT_FALSE(names_ours(finding)) << finding;
    EXPECT_NE(here, there) << "the domain must run in exactly one place";
    if (there) {
      auto at_destination = TestDomain::existing(destination->connection(), domain->name(),
                                                 destination->qemu_log_dir());
      EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty()) << recover.out;
      EXPECT_EQ(secrets_for_volume(destination->connection(), volume_id).size(), 1u);
      EXPECT_EQ(at_destination->read_pattern("sdb", 0xab, 1 << 20), kReadOk);
    } else {
      EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
      EXPECT_TRUE(secrets_for_volume(destination->connection(), volume_id).empty()) << recover.out;
      EXPECT_EQ(domain->read_pattern("sdb", 0xab, 1 << 20), kReadOk);
    }
  }
  // Nor did the passphrase reach what volcrypt and both daemons wrote on the way.
  std::vector<std::string> files = host_files_to_search(domains);
  files.push_back(std::filesystem::path(destination->qemu_log_dir()).parent_path());
  EXPECT_THAT(files_holding(files, passphrase), ::testing::IsEmpty());
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
