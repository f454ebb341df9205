// `volcrypt attach --batch` of `--config` volumes on a shut-off persistent domain, as a
// compute agent boots a domain with many volumes: every volume is prepared on its own,
// then the domain is defined once with all of them (one virDomainDefineXML, no
// per-volume attach-device or set-metadata). Each volume is still all or nothing; a
// definition libvirt refuses fails every volume it carried and leaves nothing; a kill
// between the steps leaves intents `recover` finishes or undoes.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "batch_fixture.hpp"
#include "host_debris.hpp"
#include "key_leaks.hpp"
#include "kill_points.hpp"
#include "migration_fixture.hpp"
#include "scrub.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// libvirt's procedure numbers (remote_protocol.x), as the kill-point tracer names them.
constexpr const char* kDefineDomain = "RPC remote 11";  // DOMAIN_DEFINE_XML
constexpr const char* kSetMetadata = "RPC remote 264";  // DOMAIN_SET_METADATA

struct Volume {
  std::string target;
  std::string id;
  int pattern = 0;
};

class ConfigBatch : public BatchTest {
 protected:
  std::unique_ptr<TestDomain> shut_off_domain(const std::string& prefix) {
    return std::make_unique<TestDomain>(
        connection->get(), unique(prefix),
        DomainOptions{.persistent = true, .start = false, .serial_log = ""});
  }

  // Volumes at sdb, sdc, ... each with its own pattern, and the batch attaching them all.
  json batch_of(const TestDomain& domain, std::vector<Volume>& volumes, size_t count) {
    json batch = json::array();
    for (size_t i = 0; i < count; ++i) {
      Volume v{std::string("sd") + static_cast<char>('b' + i), unique("cfg" + std::to_string(i)),
               0x20 + static_cast<int>(i)};
      batch.push_back(
          attach_request(domain.name(), v.target, volume_with_key(v.id, v.pattern), v.id));
      volumes.push_back(v);
    }
    return batch;
  }

  VolumeAt at(const TestDomain& domain, const Volume& v) const {
    return {domain.name(), v.target, v.id, true};
  }

  void expect_no_broken_rule(const TestDomain& domain, const Volume& v) {
    for (const auto& rule : broken_rules(connection->get(), at(domain, v))) {
      ADD_FAILURE() << v.target << ": " << rule;
    }
  }

  // Nothing of the volume anywhere: no secret, no disk, no record, and libvirt agrees.
  void expect_nothing_left(const TestDomain& domain, const Volume& v) {
    EXPECT_TRUE(secrets_for_volume(connection->get(), v.id).empty()) << v.target;
    EXPECT_FALSE(has_disk(connection->get(), domain.name(), v.target, true)) << v.target;
    EXPECT_FALSE(has_record(connection->get(), domain.name(), v.target, true)) << v.target;
    expect_no_broken_rule(domain, v);
  }

  // Its secret, its disk and its record in the persistent definition, consistent.
  void expect_defined(const TestDomain& domain, const Volume& v) {
    EXPECT_EQ(secrets_for_volume(connection->get(), v.id).size(), 1u) << v.target;
    EXPECT_TRUE(has_disk(connection->get(), domain.name(), v.target, true)) << v.target;
    EXPECT_TRUE(has_record(connection->get(), domain.name(), v.target, true)) << v.target;
    expect_no_broken_rule(domain, v);
  }

  void expect_clean_check(const TestDomain& domain) {
    const ProcessResult check = volcrypt({"check", "--domain", domain.name(), "--json"});
    EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
    EXPECT_THAT(check.out, HasSubstr("\"clean\":true"));
  }

  // QEMU opens every volume at boot and the guest reads each one's plaintext.
  void boot_and_read(TestDomain& domain, const std::vector<Volume>& volumes) {
    domain.start();
    for (const auto& v : volumes) {
      EXPECT_THAT(domain.read_pattern(v.target, v.pattern, 1 << 20),
                  HasSubstr("read 1048576/1048576 bytes at offset 0"))
          << v.target;
    }
  }

  static json detach_batch(const TestDomain& domain, const std::vector<Volume>& volumes) {
    json detach = json::array();
    for (const auto& v : volumes)
      detach.push_back({{"domain", domain.name()}, {"target", v.target}});
    return detach;
  }

  // A shut-off domain, three volumes, the program that attaches them as one batch (to
  // trace and kill) and the batch that detaches them again.
  struct KillableBatch {
    std::unique_ptr<TestDomain> domain;
    std::vector<Volume> volumes;
    std::vector<std::string> attach;
    json detach = json::array();
  };
  KillableBatch batch_of_three(const std::string& prefix) {
    KillableBatch out;
    out.domain = shut_off_domain(prefix);
    out.attach = program(attach_batch_args(batch_of(*out.domain, out.volumes, 3), false));
    for (const auto& v : out.volumes) {
      out.detach.push_back({{"domain", out.domain->name()}, {"target", v.target}});
    }
    return out;
  }

  std::vector<std::string> program(std::vector<std::string> args) {
    args.insert(args.begin(), VOLCRYPT_BINARY);
    return args;
  }
};

long count_of(const TracedRun& run, const std::string& step) {
  return std::count(run.step_names.begin(), run.step_names.end(), step);
}

TEST_F(ConfigBatch, EightVolumesDefineTheShutOffDomainOnceAndItBootsWithThem) {
  auto domain = shut_off_domain("cfgbatch");
  std::vector<Volume> volumes;
  const json batch = batch_of(*domain, volumes, 8);

  // Traced, not killed: each libvirt RPC the program sends is one step.
  const TracedRun run = run_traced(program(attach_batch_args(batch, true)));
  ASSERT_FALSE(run.killed);
  ASSERT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
  expect_no_secret_in(run.result);
  EXPECT_EQ(count_of(run, kDefineDomain), 1) << kill_point_summary(run.step_names);
  EXPECT_EQ(count_of(run, kPlugDisk), 0);
  EXPECT_EQ(count_of(run, kSetMetadata), 0);

  const json results = json::parse(run.result.out);
  ASSERT_EQ(results.size(), volumes.size());
  for (size_t i = 0; i < volumes.size(); ++i) {
    EXPECT_EQ(results[i]["exit_code"], 0) << results[i].dump();
    EXPECT_EQ(results[i]["live"], false);
    EXPECT_EQ(results[i]["config"], true);
    EXPECT_EQ(results[i]["record"]["volume_id"], volumes[i].id);
    expect_defined(*domain, volumes[i]);
  }
  const ProcessResult list = volcrypt({"list", "--domain", domain->name()});
  for (const auto& v : volumes) EXPECT_THAT(list.out, HasSubstr(v.target + ": volume " + v.id));
  expect_clean_check(*domain);

  boot_and_read(*domain, volumes);
}

// `"live": false, "config": true` on a running persistent domain: the one define changes
// only what the next boot reads; the running guest sees no new disk until then.
TEST_F(ConfigBatch, ARunningDomainGetsConfigOnlyVolumesAtItsNextBoot) {
  auto domain = std::make_unique<TestDomain>(
      connection->get(), unique("cfgrunning"),
      DomainOptions{.persistent = true, .start = true, .serial_log = ""});
  std::vector<Volume> volumes;
  json batch = batch_of(*domain, volumes, 2);
  for (auto& request : batch) {
    request["live"] = false;
    request["config"] = true;
  }
  const TracedRun run = run_traced(program(attach_batch_args(batch, false)));
  ASSERT_EQ(run.result.exit_code, 0) << run.result.out << run.result.err;
  EXPECT_EQ(count_of(run, kDefineDomain), 1);
  EXPECT_EQ(count_of(run, kPlugDisk), 0);
  for (const auto& v : volumes) {
    expect_defined(*domain, v);
    EXPECT_FALSE(has_disk(connection->get(), domain->name(), v.target, false)) << v.target;
  }
  virDomainPtr handle = virDomainLookupByName(connection->get(), domain->name().c_str());
  ASSERT_NE(handle, nullptr);
  EXPECT_EQ(virDomainDestroy(handle), 0);
  virDomainFree(handle);
  boot_and_read(*domain, volumes);
}

TEST_F(ConfigBatch, ABadVolumeFailsAloneAndTheOthersShareTheOneDefine) {
  auto domain = shut_off_domain("cfgbad");
  std::vector<Volume> volumes;
  json batch = batch_of(*domain, volumes, 3);
  // Not LUKS: refused when its plugin is chosen, before anything of it is made.
  const std::string not_luks = unique("cfgnotluks");
  volume_ids.push_back(not_luks);
  put_key(not_luks, passphrase);
  const std::string other_data = path("other.img");
  test_volumes::write_file(other_data, std::string(8 << 20, 'x'));
  batch.insert(batch.begin() + 1, attach_request(domain->name(), "sdx", other_data, not_luks));
  // A volume already in the definition at sdy (a single --config attach) may not join
  // it again at sdz without --shareable.
  const std::string twice = unique("cfgtwice");
  const std::string twice_source = volume_with_key(twice, 0x3f);
  const ProcessResult first =
      volcrypt({"attach", "--domain", domain->name(), "--target", "sdy", "--source", twice_source,
                "--volume-id", twice, "--provider", "luks", "--passphrase-file", passphrase_file,
                "--config"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  batch.push_back(attach_request(domain->name(), "sdz", twice_source, twice));

  const ProcessResult r = attach_batch(batch, false);
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("request 1: failed (exit 5): volume '" + other_data +
                               "' holds data that is not LUKS"));
  for (int request : {0, 2, 3}) {
    EXPECT_THAT(r.out, HasSubstr("request " + std::to_string(request) + ": attached "));
  }
  EXPECT_THAT(r.out, HasSubstr("request 4: failed (exit 7): volume " + twice + " ('" +
                               twice_source + "') is already attached to domain '" +
                               domain->name() + "' disk sdy (persistent config)"));
  EXPECT_TRUE(secrets_for_volume(connection->get(), not_luks).empty());
  EXPECT_FALSE(has_disk(connection->get(), domain->name(), "sdx", true));
  EXPECT_FALSE(has_disk(connection->get(), domain->name(), "sdz", true));
  expect_defined(*domain, Volume{"sdy", twice, 0x3f});
  for (const auto& v : volumes) expect_defined(*domain, v);
  expect_clean_check(*domain);
}

// One source file under two volume ids: defined twice without <shareable/>, the domain
// could not start (QEMU refuses to open one image twice for writing) while `check` said
// clean. The batch is refused whole (exit 7) as the second single attach is.
TEST_F(ConfigBatch, OneFileUnderTwoVolumeIdsIsRefusedWholeAndChangesNothing) {
  auto domain = shut_off_domain("cfgsame");
  const Volume first{"sdb", unique("cfgsame0"), 0x41};
  const Volume second{"sdc", unique("cfgsame1"), 0x41};
  const std::string source = std::filesystem::canonical(volume_with_key(first.id, 0x41));
  volume_ids.push_back(second.id);
  put_key(second.id, passphrase);
  const json batch = {attach_request(domain->name(), first.target, source, first.id),
                      attach_request(domain->name(), second.target, source, second.id)};
  const std::string before = domain->inactive_xml();

  const ProcessResult r = attach_batch(batch, false);
  EXPECT_EQ(r.exit_code, 7) << r.out << r.err;
  EXPECT_EQ(r.err, "volcrypt: error: batch request 1: volume " + second.id + " ('" + source +
                       "') is the volume of batch request 0 (volume " + first.id + " ('" + source +
                       "')); a volume attached twice needs \"shareable\": true in both "
                       "requests\n");
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(domain->inactive_xml(), before);
  for (const auto& v : {first, second}) expect_nothing_left(*domain, v);
  expect_clean_check(*domain);
}

// A multi-attach volume may be in one definition twice when both disks say so.
TEST_F(ConfigBatch, OneFileTwiceWithShareableInBothIsDefinedWithBoth) {
  auto domain = shut_off_domain("cfgshared");
  const Volume first{"sdb", unique("cfgshared0"), 0x42};
  const Volume second{"sdc", unique("cfgshared1"), 0x42};
  const std::string source = volume_with_key(first.id, 0x42);
  volume_ids.push_back(second.id);
  put_key(second.id, passphrase);
  json batch = {attach_request(domain->name(), first.target, source, first.id),
                attach_request(domain->name(), second.target, source, second.id)};
  for (auto& request : batch) request["shareable"] = true;

  const ProcessResult r = attach_batch(batch, false);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const auto& v : {first, second}) expect_defined(*domain, v);
  const std::string definition = domain->inactive_xml();
  size_t shareable = 0;
  for (size_t at = definition.find("<shareable/>"); at != std::string::npos;
       at = definition.find("<shareable/>", at + 1)) {
    ++shareable;
  }
  EXPECT_EQ(shareable, 2u) << definition;
  expect_clean_check(*domain);
}

TEST_F(ConfigBatch, ADefinitionLibvirtRefusesFailsEveryCarriedVolumeAndLeavesNothing) {
  auto domain = shut_off_domain("cfgrefused");
  std::vector<Volume> volumes;
  json batch = batch_of(*domain, volumes, 3);
  // volcrypt takes any short lowercase name; libvirt knows no disk called zzz and
  // refuses the whole definition that carries it.
  batch[2]["target"] = "zzz";
  volumes[2].target = "zzz";
  const std::string before = domain->inactive_xml();

  const ProcessResult r = attach_batch(batch, true);
  EXPECT_EQ(r.exit_code, 9) << r.out << r.err;
  const json results = json::parse(r.out);
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) {
    EXPECT_EQ(result["error"]["kind"], "libvirt") << result.dump();
    EXPECT_EQ(result["error"]["message"],
              "libvirt refused the new definition of domain '" + domain->name() +
                  "': XML error: Unknown disk name 'zzz' and no address specified (it carried 3 "
                  "new volumes, each undone)");
  }
  expect_no_secret_in(r);
  for (const auto& v : volumes) expect_nothing_left(*domain, v);
  EXPECT_EQ(domain->inactive_xml(), before);
  expect_clean_check(*domain);
}

// Killed as it sends the one define, the secrets of all three volumes exist and their
// disks do not: recover undoes each. Killed right after it, all three are in the
// definition with their intents still there: recover finishes each.
TEST_F(ConfigBatch, KilledAroundTheOneDefineRecoverUndoesOrFinishesEveryVolume) {
  auto [domain, volumes, attach, detach] = batch_of_three("cfgkill");

  for (const auto& v : volumes) expect_nothing_left(*domain, v);

  const TracedRun before = run_traced_around(attach, kDefineDomain);
  ASSERT_TRUE(before.killed);
  ASSERT_EQ(before.step_names.back(), kDefineDomain);
  for (const auto& v : volumes) {
    EXPECT_EQ(secrets_for_volume(connection->get(), v.id).size(), 1u) << v.target;
    EXPECT_FALSE(has_disk(connection->get(), domain->name(), v.target, true)) << v.target;
  }
  ProcessResult recover = volcrypt({"recover", "--domain", domain->name()});
  EXPECT_EQ(recover.exit_code, 0) << recover.out << recover.err;
  for (const auto& v : volumes) {
    EXPECT_THAT(recover.out, HasSubstr("undid an interrupted attach of volume " + v.id));
    expect_nothing_left(*domain, v);
  }
  expect_clean_check(*domain);

  const TracedRun after = run_traced_around(attach, kDefineDomain, 1);
  ASSERT_TRUE(after.killed);
  recover = volcrypt({"recover", "--domain", domain->name()});
  EXPECT_EQ(recover.exit_code, 0) << recover.out << recover.err;
  EXPECT_THAT(recover.out, HasSubstr("the attach had done everything but clear its intent"));
  for (const auto& v : volumes) expect_defined(*domain, v);
  expect_clean_check(*domain);
  boot_and_read(*domain, volumes);
}

// A batch of three killed at each of its kill points: after `recover`, check is clean and
// the three volumes are all in the definition (with their secrets and records) or all
// gone; never one half-made, never some of them only.
TEST_F(ConfigBatch, AtEveryKillPointRecoverLeavesTheBatchAllDefinedOrAllGone) {
  const OwnRegistryCache cache(path("registry-cache"), VOLCRYPT_BINARY);
  auto [domain, volumes, attach, detach] = batch_of_three("cfgsweep");
  const std::string detach_file = batch_file(detach);
  const std::string uuid = domain_uuid(connection->get(), domain->name());
  // The reference run numbers the kill points: it defines the three secrets and their
  // values, then the domain once.
  const TracedRun complete = reference_run(attach, {kDefineSecret, kSetSecretValue, kDefineDomain});
  ASSERT_EQ(complete.result.exit_code, 0) << complete.result.out << complete.result.err;
  ASSERT_EQ(volcrypt({"detach", "--batch", detach_file}).exit_code, 0);

  std::vector<std::string> failures;
  std::vector<std::string> steps_killed;
  int finished = 0;
  int undone = 0;
  const auto at_kill_point = [&](int step) {
    std::vector<std::string> problems;
    const TracedRun run = run_traced_at(attach, complete, step);
    expect_no_secret_in(run.result);
    if (!views_holding(run, passphrase).empty()) {
      problems.push_back("the passphrase could be read in " +
                         ::testing::PrintToString(views_holding(run, passphrase)));
    }
    if (const std::string wrong = wrong_kill_point(complete, run, step); !wrong.empty()) {
      problems.push_back(wrong);
    }
    if (run.killed) {
      steps_killed.push_back(run.step_names.back());
      const ProcessResult recover = volcrypt({"recover", "--domain", domain->name(), "--json"});
      if (recover.exit_code != 0 || recover.out.find("\"clean\":true") == std::string::npos) {
        problems.push_back("recover: " + recover.out + recover.err);
      }
    } else if (run.result.exit_code != 0) {
      problems.push_back("the unkilled batch failed: " + run.result.out + run.result.err);
    }
    const ProcessResult check = volcrypt({"check", "--domain", domain->name(), "--json"});
    if (check.exit_code != 0) problems.push_back("check after recover: " + check.out);
    for (const auto& left : debris_after_recover(uuid, domain->name())) {
      problems.push_back("after recover, " + left);
    }
    size_t defined = 0;
    for (const auto& v : volumes) {
      const bool disk = has_disk(connection->get(), domain->name(), v.target, true);
      const bool record = has_record(connection->get(), domain->name(), v.target, true);
      const size_t secrets = secrets_for_volume(connection->get(), v.id).size();
      if (disk != record || secrets != (disk ? 1u : 0u)) {
        problems.push_back(v.target + " half-made: disk " + std::to_string(disk) + ", record " +
                           std::to_string(record) + ", " + std::to_string(secrets) + " secrets");
      }
      for (const auto& rule : broken_rules(connection->get(), at(*domain, v))) {
        problems.push_back(v.target + ": " + rule);
      }
      if (disk) ++defined;
    }
    if (defined != 0 && defined != volumes.size()) {
      problems.push_back(std::to_string(defined) + " of the 3 volumes are defined");
    }
    if (run.killed) ++(defined == 0 ? undone : finished);
    if (defined != 0) {
      const ProcessResult r = volcrypt({"detach", "--batch", detach_file});
      if (r.exit_code != 0) problems.push_back("detach after: " + r.out + r.err);
    }
    if (!problems.empty()) {
      std::string joined;
      for (const auto& problem : problems) joined += "; " + problem;
      failures.push_back("kill point " + std::to_string(step) + " (" +
                         (run.killed ? "before " + run.step_names.back() : "not killed") + ")" +
                         joined);
      for (const auto& v : volumes) scrub(connection->get(), at(*domain, v));
    }
  };
  const int covered = complete.steps;
  for (int step = 1; step <= covered; ++step) at_kill_point(step);
  std::cout << "kill points covered: config batch of 3 " << kill_point_summary(steps_killed) << "; "
            << undone << " left none of the three, " << finished << " all three" << std::endl;
  RecordProperty("kill_points", covered);
  EXPECT_GT(undone, 0);
  EXPECT_GT(finished, 0);
  std::string report;
  for (const auto& failure : failures) report += "\n  " + failure;
  EXPECT_TRUE(failures.empty()) << failures.size() << " of " << covered
                                << " kill points left a problem:" << report;
}

}  // namespace
}  // namespace volcrypt::test
