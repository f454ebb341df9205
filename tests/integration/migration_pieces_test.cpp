// The pieces of volcrypt migrate, for agents that run libvirt's migration themselves:
// migrate-prepare (the destination's secrets), then the agent's own migration (virsh or
// libvirt's C API, as Nova does), then migrate-finish (what the departed domain left
// here); or migrate-abort when the agent's migration did not happen. Between the system
// libvirtd (the source) and a second one (support/second-libvirtd, the destination).
// Each piece is a separate process: none writes an intent or needs one.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "kill_points.hpp"
#include "migration_fixture.hpp"
#include "syslog_listener.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

// A URI where no libvirt answers: nothing listens on TCP port 1 of 127.0.0.1.
const std::string kSilentUri = "qemu+tcp://127.0.0.1:1/system";

// What the agent runs itself: libvirt's own client, not volcrypt.
void migrate_with_virsh(const std::string& domain, const std::string& dest_uri) {
  ProcessResult r = run_process({"virsh", "-c", "qemu:///system", "migrate", "--live", "--unsafe",
                                 domain, dest_uri, "--migrateuri", kMigrateUri});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// libvirt's C API with a connection to each side (virDomainMigrate3, not peer to peer):
// the destination keeps a persistent definition, and so does this host.
void migrate_with_libvirt_api(virConnectPtr source, virConnectPtr dest, const std::string& domain) {
  virDomainPtr here = virDomainLookupByName(source, domain.c_str());
  ASSERT_NE(here, nullptr);
  virTypedParameterPtr params = nullptr;
  int count = 0;
  int max = 0;
  virTypedParamsAddString(&params, &count, &max, VIR_MIGRATE_PARAM_URI, kMigrateUri.c_str());
  virDomainPtr there = virDomainMigrate3(
      here, dest, params, count, VIR_MIGRATE_LIVE | VIR_MIGRATE_UNSAFE | VIR_MIGRATE_PERSIST_DEST);
  virTypedParamsFree(params, count);
  virDomainFree(here);
  ASSERT_NE(there, nullptr) << virGetLastErrorMessage();
  virDomainFree(there);
}

// The record without its indentation: libvirt re-indents the metadata it keeps in a
// persistent definition made from a migrating domain's live XML.
std::optional<std::string> unindented(std::optional<std::string> record) {
  if (!record) return record;
  std::string out;
  bool line_start = false;
  for (char c : *record) {
    if (c == '\n') line_start = true;
    if (line_start && (c == '\n' || c == ' ')) continue;
    line_start = false;
    out += c;
  }
  return out;
}

class MigrationPieces : public MigrationTest {
 protected:
  ProcessResult prepare(const std::string& domain, const std::string& dest_uri) {
    return volcrypt({"migrate-prepare", "--domain", domain, "--dest-uri", dest_uri,
                     "--passphrase-dir", key_dir, "--json"});
  }
  ProcessResult finish(const std::string& domain_xml) {
    return volcrypt({"migrate-finish", "--domain-xml", "-", "--json"}, domain_xml);
  }
  ProcessResult abort(const std::string& domain, const std::string& dest_uri) {
    return volcrypt({"migrate-abort", "--domain", domain, "--dest-uri", dest_uri, "--json"});
  }

  // The one disk of a piece's --json output, after checking the fields every piece
  // prints the same way: no migration ran in the piece itself.
  nlohmann::json only_disk(const ProcessResult& r, const std::string& domain,
                           const std::string& dest_uri) {
    const auto out = nlohmann::json::parse(r.out);
    EXPECT_EQ(out["domain"], domain);
    EXPECT_EQ(out["domain_uuid"], domain_uuid_before);
    EXPECT_EQ(out["destination"], dest_uri);
    EXPECT_EQ(out["migrated"], false);
    EXPECT_EQ(out["live"], false);
    EXPECT_EQ(out["persistent"], false);
    EXPECT_EQ(out["migration_ms"], 0);
    EXPECT_EQ(out["disks"].size(), 1u);
    const auto disk = out["disks"].empty() ? nlohmann::json::object() : out["disks"][0];
    EXPECT_EQ(disk["target"], "sdb");
    EXPECT_EQ(disk["volume_id"], volume_id);
    EXPECT_EQ(disk["plugin"], "qemu-native-luks");
    EXPECT_EQ(disk["secret"], secret_uuid);
    return disk;
  }

  // The domain, and what the tests compare the source with afterwards.
  std::unique_ptr<TestDomain> domain_as_the_agent_sees_it(bool persistent = false) {
    auto domain = domain_with_luks_disk(persistent);
    const auto secrets = secrets_for_volume(connection->get(), volume_id);
    EXPECT_EQ(secrets.size(), 1u);
    secret_uuid = secrets.empty() ? "" : secrets[0];
    domain_uuid_before = domain_uuid(connection->get(), domain->name());
    record_before = volcrypt_metadata(connection->get(), domain->name(), false);
    EXPECT_TRUE(record_before.has_value());
    // What an agent keeps before it migrates, for migrate-finish.
    xml_before = domain->live_xml();
    return domain;
  }

  // What a piece says of the secret that a definition of the domain (`where`: running,
  // persistent config) on that side still names.
  std::string kept_for(const std::string& domain, const std::string& where) const {
    const std::string disk = "domain '" + domain + "' disk sdb (" + where + ")";
    return "kept: secret " + secret_uuid + " is still used by " + disk + ", the record of " + disk;
  }

  void expect_destination_secret_only_from_prepare() {
    EXPECT_EQ(secrets_for_volume(destination->connection(), volume_id),
              std::vector<std::string>{secret_uuid});
    EXPECT_TRUE(destination_secret_holds_passphrase(secret_uuid))
        << "the destination's secret does not hold the volume's passphrase";
    const std::string xml = secret_xml(destination->connection(), secret_uuid);
    EXPECT_THAT(xml, HasSubstr("private='yes'"));
    EXPECT_THAT(xml, HasSubstr("<volume>" + volume_id + "</volume>"));
  }

  // The source as it was before any piece ran: running, reading its plaintext through
  // QEMU, the same secret, record and live XML, and no intent.
  void expect_source_as_before(const TestDomain& domain) {
    EXPECT_EQ(domain.read_pattern("sdb", 0xab, 1 << 20), kReadOk);
    EXPECT_EQ(secrets_for_volume(connection->get(), volume_id),
              std::vector<std::string>{secret_uuid});
    EXPECT_EQ(volcrypt_metadata(connection->get(), domain.name(), false), record_before);
    EXPECT_EQ(domain.live_xml(), xml_before);
    EXPECT_TRUE(intents_of(domain_uuid_before).empty());
  }

  // After a migrate-finish that released everything: nothing of the domain is left here,
  // and it runs at the destination, reading its plaintext through QEMU, with its uuid,
  // record and secret. The domain there is removed after.
  void expect_moved_and_released(const std::string& domain) {
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_TRUE(intents_of(domain_uuid_before).empty());
    auto moved =
        TestDomain::existing(destination->connection(), domain, destination->qemu_log_dir());
    EXPECT_EQ(moved->read_pattern("sdb", 0xab, 1 << 20), kReadOk) << "after, on the destination";
    EXPECT_EQ(volcrypt_metadata(destination->connection(), domain, false), record_before);
    EXPECT_EQ(domain_uuid(destination->connection(), domain), domain_uuid_before);
    expect_destination_secret_only_from_prepare();
  }

  void expect_destination_empty() {
    EXPECT_TRUE(domain_names(destination->connection()).empty());
    EXPECT_TRUE(secrets_for_volume(destination->connection(), volume_id).empty());
    EXPECT_TRUE(std::filesystem::is_empty(destination->secret_dir()));
  }

  std::string secret_uuid;
  std::string domain_uuid_before;
  std::optional<std::string> record_before;
  std::string xml_before;
};

// (a) prepare, the agent's virsh migrate, finish: the domain runs at the destination with
// its secret (same uuid and value) and record, and this host keeps nothing of it.
TEST_F(MigrationPieces, PrepareThenTheAgentsMigrationThenFinishMovesEverything) {
  auto domain = domain_as_the_agent_sees_it();
  ASSERT_EQ(domain->read_pattern("sdb", 0xab, 1 << 20), kReadOk) << "before, on the source";

  ProcessResult r = prepare(domain->name(), destination->uri());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::cout << "migrate-prepare: " << r.out;
  auto disk = only_disk(r, domain->name(), destination->uri());
  EXPECT_EQ(disk["destination"], "defined");
  EXPECT_EQ(disk["source"], "");
  expect_destination_secret_only_from_prepare();
  EXPECT_TRUE(domain_names(destination->connection()).empty());
  expect_source_as_before(*domain);

  migrate_with_virsh(domain->name(), destination->uri());
  EXPECT_FALSE(domain_exists(connection->get(), domain->name()));
  // libvirt took nothing away here: the secret waits for migrate-finish.
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id),
            std::vector<std::string>{secret_uuid});

  r = finish(xml_before);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::cout << "migrate-finish: " << r.out;
  disk = only_disk(r, domain->name(), "");
  EXPECT_EQ(disk["destination"], "");
  EXPECT_EQ(disk["source"], "released");

  expect_moved_and_released(domain->name());
}

// (b) prepare, then the agent's migration does not happen, then abort: the destination has
// no secret left and the source is exactly as it was. A second abort finds nothing to do.
TEST_F(MigrationPieces, PrepareThenAbortLeavesBothSidesAsTheyWere) {
  auto domain = domain_as_the_agent_sees_it();
  ProcessResult r = prepare(domain->name(), destination->uri());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_destination_secret_only_from_prepare();

  r = abort(domain->name(), destination->uri());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::cout << "migrate-abort: " << r.out;
  auto disk = only_disk(r, domain->name(), destination->uri());
  EXPECT_EQ(disk["destination"], "removed");
  EXPECT_EQ(disk["source"], "");
  expect_destination_empty();
  expect_source_as_before(*domain);

  r = abort(domain->name(), destination->uri());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  disk = only_disk(r, domain->name(), destination->uri());
  EXPECT_EQ(disk["destination"], "") << "nothing was there to remove";
  expect_destination_empty();
  expect_source_as_before(*domain);
}

// (c) migrate-finish needs no intent and no earlier piece in its process: it works from
// the XML the agent kept alone. A persistent domain that the agent's migration left
// defined here (no --undefinesource) still names the secret, so finish keeps it and says
// why; once the agent undefines the domain here, finish run again releases it.
TEST_F(MigrationPieces, FinishWorksFromTheKeptXmlAloneAndKeepsWhatTheDomainStillNamesHere) {
  auto domain = domain_as_the_agent_sees_it(/*persistent=*/true);
  const auto config_record_before = volcrypt_metadata(connection->get(), domain->name(), true);
  ASSERT_TRUE(config_record_before.has_value());
  ProcessResult r = prepare(domain->name(), destination->uri());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  migrate_with_libvirt_api(connection->get(), destination->connection(), domain->name());
  ASSERT_TRUE(domain_exists(connection->get(), domain->name())) << "defined here still";

  r = finish(xml_before);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::cout << "migrate-finish, domain still defined here: " << r.out;
  auto disk = only_disk(r, domain->name(), "");
  EXPECT_EQ(disk["source"], kept_for(domain->name(), "persistent config"));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id),
            std::vector<std::string>{secret_uuid});

  virDomainPtr left = virDomainLookupByName(connection->get(), domain->name().c_str());
  ASSERT_NE(left, nullptr);
  ASSERT_EQ(virDomainUndefine(left), 0) << virGetLastErrorMessage();
  virDomainFree(left);

  r = finish(xml_before);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  disk = only_disk(r, domain->name(), "");
  EXPECT_EQ(disk["source"], "released");
  EXPECT_EQ(unindented(volcrypt_metadata(destination->connection(), domain->name(), true)),
            unindented(config_record_before));
  expect_moved_and_released(domain->name());
}

// Like every command on a domain, migrate-prepare first finishes or undoes what a killed
// command left on it: here an attach of a second disk killed just before it plugged the
// disk in, leaving its secret and its intent. The destination gets only what the domain
// really uses.
TEST_F(MigrationPieces, PrepareFirstUndoesAnAttachKilledOnTheDomain) {
  auto domain = domain_as_the_agent_sees_it();
  const std::string second_volume = unique("mig-second");
  volume_ids.push_back(second_volume);
  const std::vector<std::string> attach = {
      VOLCRYPT_BINARY,     "attach",
      "--domain",          domain->name(),
      "--target",          "sdc",
      "--source",          make_luks1_with_pattern(second_volume + ".luks", 0xcd),
      "--volume-id",       second_volume,
      "--provider",        "luks",
      "--passphrase-file", passphrase_file};
  const TracedRun complete = run_traced(attach);
  ASSERT_EQ(complete.result.exit_code, 0) << complete.result.err;
  ProcessResult r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdc"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const TracedRun killed = run_traced(attach, step_of(complete, kPlugDisk));
  ASSERT_TRUE(killed.killed);
  ASSERT_EQ(secrets_for_volume(connection->get(), second_volume).size(), 1u);
  ASSERT_EQ(intents_of(domain_uuid_before).size(), 1u);

  r = prepare(domain->name(), destination->uri());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(only_disk(r, domain->name(), destination->uri())["destination"], "defined");
  EXPECT_TRUE(intents_of(domain_uuid_before).empty());
  EXPECT_TRUE(secrets_for_volume(connection->get(), second_volume).empty());
  EXPECT_TRUE(secrets_for_volume(destination->connection(), second_volume).empty());
  expect_destination_secret_only_from_prepare();
  expect_source_as_before(*domain);
}

// A domain that is not there, a destination that does not answer, a key that is missing:
// named exactly, and nothing changes on either side.
TEST_F(MigrationPieces, BadRequestsAreNamedAndChangeNothingOnEitherSide) {
  auto domain = domain_as_the_agent_sees_it();
  const std::string missing = unique("missing");
  const std::string not_found = "volcrypt: error: domain '" + missing + "' not found\n";
  const std::string not_found_json =
      R"({"error":{"kind":"not_found","message":"domain ')" + missing + R"(' not found"}})";
  for (const auto& r : {prepare(missing, destination->uri()), abort(missing, destination->uri())}) {
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_EQ(r.err, not_found);
    EXPECT_EQ(r.out, not_found_json + "\n");
  }

  const std::string silent = "volcrypt: error: cannot connect to libvirt at " + kSilentUri +
                             ": unable to connect to server at '127.0.0.1:1': Connection refused\n";
  for (const auto& r : {prepare(domain->name(), kSilentUri), abort(domain->name(), kSilentUri)}) {
    EXPECT_EQ(r.exit_code, 9) << r.err;
    EXPECT_EQ(r.err, silent);
    EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["kind"], "libvirt");
  }

  // The agent names this very host as the destination: the secret is there already, and
  // abort keeps it for the domain that uses it.
  const std::string here = "qemu:///system";
  ProcessResult same = prepare(domain->name(), here);
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(only_disk(same, domain->name(), here)["destination"], "already there");
  same = abort(domain->name(), here);
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_EQ(only_disk(same, domain->name(), here)["destination"],
            kept_for(domain->name(), "running"));

  std::filesystem::remove(key_dir + "/" + volume_id);
  ProcessResult r = prepare(domain->name(), destination->uri());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err,
            "volcrypt: error: key file '" + key_dir + "/" + volume_id + "' does not exist\n");

  expect_destination_empty();
  expect_source_as_before(*domain);
}

// Each piece defines or removes secrets on a host, so each sends its audit line (facility
// authpriv), as attach and detach do: the domain (migrate-finish reads it from the XML it
// is given), the destination when the piece has one, and how it ended.
TEST_F(MigrationPieces, EachPieceSendsOneAuditLineNamingTheDomainAndTheDestination) {
  auto domain = domain_as_the_agent_sees_it();
  SyslogListener syslog_socket(path("log"));
  launcher = syslog_socket.launcher();
  ASSERT_EQ(prepare(domain->name(), destination->uri()).exit_code, 0);
  ASSERT_EQ(abort(domain->name(), destination->uri()).exit_code, 0);
  ASSERT_EQ(abort(domain->name(), kSilentUri).exit_code, 9);
  ASSERT_EQ(prepare(domain->name(), destination->uri()).exit_code, 0);
  migrate_with_virsh(domain->name(), destination->uri());
  ProcessResult finished = finish(xml_before);
  ASSERT_EQ(finished.exit_code, 0) << finished.err;

  // Only the pieces' lines: the fixture attached its disk before the listener listened.
  const std::vector<std::string> lines = syslog_socket.drain();
  ASSERT_EQ(lines.size(), 5u);
  for (const auto& line : lines) {
    EXPECT_THAT(line, ::testing::StartsWith(authpriv_notice_prefix()));
    expect_no_secret_in(line, "the audit line");
  }
  const std::string who = " uid=" + std::to_string(::getuid()) + " domain=" + domain->name() +
                          " target=- volume=- plugin=- outcome=";
  const std::string to_destination = "ok (destination " + destination->uri() + ")";
  EXPECT_THAT(lines[0], HasSubstr(": migrate-prepare" + who + to_destination));
  EXPECT_THAT(lines[1], HasSubstr(": migrate-abort" + who + to_destination));
  EXPECT_THAT(lines[2], HasSubstr(": migrate-abort" + who +
                                  "failed: cannot connect to libvirt at " + kSilentUri +
                                  ": unable to connect to server at "
                                  "'127.0.0.1:1': Connection refused"));
  EXPECT_THAT(lines[3], HasSubstr(": migrate-prepare" + who + to_destination));
  EXPECT_THAT(lines[4], ::testing::EndsWith(": migrate-finish" + who + "ok"));
}

}  // namespace
}  // namespace volcrypt::test
