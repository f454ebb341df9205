// Kill points: the real `volcrypt` is killed with SIGKILL as it enters each system call
// that sends a libvirt RPC or writes, syncs, renames or removes its intent file, during
// attach, detach and start. After each kill `volcrypt recover` must leave a host that
// `volcrypt check` and libvirt itself call consistent, and the volume must attach (the
// guest reads its plaintext) and detach again. No hook in the program: the test traces
// it with ptrace, as strace does (support/kill_points.hpp).
#include "kill_points.hpp"

#include <gmock/gmock.h>
#include <libvirt/libvirt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>

#include "host_debris.hpp"
#include "integration_test.hpp"
#include "json_objects.hpp"
#include "key_leaks.hpp"
#include "kill_point_sample.hpp"
#include "migration_fixture.hpp"
#include "network_storage.hpp"
#include "scrub.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using Problems = std::vector<std::string>;

constexpr int kPattern = 0xab;
constexpr const char* kTarget = "sdb";
constexpr int kBlankRbdKillStride = 4;

// One volume at sdb of one domain: hot-plugged on virtio-scsi (live) or written into the
// persistent definition of a shut-off domain (config).
struct Scenario {
  std::string name;  // e.g. "attach live"
  const TestDomain* domain = nullptr;
  std::string volume;
  std::string volume_id;
  bool live = true;
  std::string domain_uuid;
  // How attach names the volume when it is not the file `volume` (a network volume).
  std::vector<std::string> source_args = {};
  // Set for a blank volume that attach formats: it is made blank again before each run the
  // sweep compares (each must format it), and the guest writes the plaintext it reads.
  std::function<void()> make_blank = {};
  VolumeAt at() const { return {domain->name(), kTarget, volume_id, true}; }
};

std::string joined(const Problems& problems) {
  std::string out;
  for (const auto& problem : problems) out += (out.empty() ? "" : "; ") + problem;
  return out;
}

std::string outcome(const ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + ", out: " + result.out +
         " err: " + result.err;
}

bool says_clean(const ProcessResult& result) {
  return result.out.find("\"clean\":true") != std::string::npos;
}

std::vector<std::string> with_program(std::vector<std::string> args) {
  args.insert(args.begin(), VOLCRYPT_BINARY);
  return args;
}

class KillPoints : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    cache = std::make_unique<OwnRegistryCache>(path("registry-cache"), VOLCRYPT_BINARY);
  }

  void TearDown() override {
    cache.reset();
    IntegrationTest::TearDown();
  }

  std::unique_ptr<OwnRegistryCache> cache;

  std::vector<std::string> attach_args(const Scenario& s) const {
    std::vector<std::string> args = {"attach", "--domain", s.domain->name(), "--target", kTarget};
    args.insert(args.end(), {"--bus", "scsi", "--volume-id", s.volume_id});
    if (s.source_args.empty()) {
      args.insert(args.end(), {"--source", s.volume});
    } else {
      args.insert(args.end(), s.source_args.begin(), s.source_args.end());
    }
    args.insert(args.end(), {"--provider", "luks", "--passphrase-file", passphrase_file});
    args.push_back(s.live ? "--live" : "--config");
    return args;
  }

  std::vector<std::string> detach_args(const Scenario& s) const {
    return {"detach",   "--domain", s.domain->name(),
            "--target", kTarget,    s.live ? "--live" : "--config"};
  }

  // What a user checks while the volume is attached: one secret, the record, the disk
  // using that secret and, on a running domain, the plaintext read through QEMU.
  void check_attached(const Scenario& s, Problems& problems) {
    const auto secrets = secrets_for_volume(connection->get(), s.volume_id);
    if (secrets.size() != 1) {
      problems.push_back(std::to_string(secrets.size()) + " secrets for the attached volume");
    }
    if (!has_disk(connection->get(), s.domain->name(), kTarget, !s.live)) {
      problems.push_back("no disk sdb in the domain after attach");
    }
    if (!has_record(connection->get(), s.domain->name(), kTarget, !s.live)) {
      problems.push_back("no record for sdb after attach");
    }
    for (const auto& broken : broken_rules(connection->get(), s.at())) problems.push_back(broken);
    if (s.live) {
      if (s.make_blank) s.domain->write_pattern(kTarget, kPattern, 1 << 20);
      const std::string verdict = s.domain->read_pattern(kTarget, kPattern, 1 << 20);
      if (verdict.find("read 1048576/1048576 bytes at offset 0") == std::string::npos) {
        problems.push_back("the guest does not read the plaintext: " + verdict);
      }
    }
  }

  void check_detached(const Scenario& s, Problems& problems) {
    if (!secrets_for_volume(connection->get(), s.volume_id).empty()) {
      problems.push_back("the volume's secret outlived its disk");
    }
    if (has_disk(connection->get(), s.domain->name(), kTarget, !s.live)) {
      problems.push_back("disk sdb is still in the domain after detach");
    }
    if (has_record(connection->get(), s.domain->name(), kTarget, !s.live)) {
      problems.push_back("the record for sdb outlived detach");
    }
  }

  void attach(const Scenario& s, Problems& problems, const std::string& which) {
    const ProcessResult r = volcrypt(attach_args(s));
    if (r.exit_code != 0) return problems.push_back(which + " attach failed: " + outcome(r));
    check_attached(s, problems);
  }

  void detach(const Scenario& s, Problems& problems, const std::string& which) {
    const ProcessResult r = volcrypt(detach_args(s));
    if (r.exit_code != 0) return problems.push_back(which + " detach failed: " + outcome(r));
    check_detached(s, problems);
  }

  // After a kill: check sees what libvirt sees; recover repairs; then check and libvirt
  // agree that everything is consistent.
  // Returns whether there was anything to repair.
  bool recover_after_kill(const Scenario& s, Problems& problems) {
    const Problems broken = broken_rules(connection->get(), s.at());
    const ProcessResult before = volcrypt({"check", "--domain", s.domain->name(), "--json"});
    if (before.exit_code != 0 && before.exit_code != 11) {
      problems.push_back("check before recover failed: " + outcome(before));
    } else if (!broken.empty() && (before.exit_code != 11 || says_clean(before))) {
      problems.push_back("check called the host clean while libvirt shows: " + joined(broken));
    }
    const ProcessResult recover = volcrypt({"recover", "--domain", s.domain->name(), "--json"});
    if (recover.exit_code != 0 || !says_clean(recover)) {
      problems.push_back("recover did not leave it clean: " + outcome(recover));
    }
    const ProcessResult after = volcrypt({"check", "--domain", s.domain->name(), "--json"});
    if (after.exit_code != 0 || !says_clean(after)) {
      problems.push_back("check after recover is not clean: " + outcome(after));
    }
    for (const auto& rule : broken_rules(connection->get(), s.at())) {
      problems.push_back("after recover, " + rule);
    }
    for (const auto& left : debris_after_recover(s.domain_uuid, s.domain->name())) {
      problems.push_back("after recover, " + left);
    }
    return !broken.empty() || before.exit_code == 11;
  }

  // The volume is usable again: a disk that recover kept works and detaches; then the
  // volume attaches and detaches afresh.
  void use_again(const Scenario& s, Problems& problems) {
    if (has_disk(connection->get(), s.domain->name(), kTarget, !s.live)) {
      check_attached(s, problems);
      detach(s, problems, "the kept disk's");
    }
    attach(s, problems, "a fresh");
    detach(s, problems, "the fresh disk's");
  }

  // The steps an attach or a detach must make, whose kill points the sweep is for.
  static std::vector<std::string> expected_steps(const Scenario& s, bool detach) {
    if (detach) return {kUnplugDisk, kSetMetadata, kUndefineSecret};
    if (s.live) return {kDefineSecret, kSetSecretValue, kPlugDisk, kSetMetadata};
    return {kDefineSecret, kSetSecretValue};
  }

  // The complete run of `operation` that numbers the sweep's kill points, and a user's
  // checks of what it did; a detach's is undone by a fresh attach, an attach's by detach.
  TracedRun reference(const Scenario& s, bool killing_detach,
                      const std::vector<std::string>& operation, Problems& problems) {
    if (killing_detach) attach(s, problems, "the reference run's");
    if (s.make_blank) s.make_blank();
    const TracedRun run = reference_run(operation, expected_steps(s, killing_detach));
    expect_no_secret_in(run);
    print_steps(s.name, run);
    if (run.result.exit_code != 0) {
      problems.push_back("the reference run failed: " + outcome(run.result));
    } else if (killing_detach) {
      check_detached(s, problems);
    } else {
      check_attached(s, problems);
      detach(s, problems, "the reference attach's");
    }
    return run;
  }

  // Kills `operation` (attach, or detach of an attached volume) at each step of its
  // reference run, checking that each kill point kills the step it is named for, repairs
  // and checks after each, and reports every kill point that left a problem. Returns how
  // many kill points were covered. `stride` > 1: a sweep too slow to run whole in the
  // test command covers a sample (sampled_unless_whole).
  int sweep(const Scenario& s, bool killing_detach, int stride = 1) {
    const std::vector<std::string> operation =
        with_program(killing_detach ? detach_args(s) : attach_args(s));
    Problems failures;
    const TracedRun complete = reference(s, killing_detach, operation, failures);
    if (!failures.empty()) {
      ADD_FAILURE() << s.name << " does not work unkilled: " << joined(failures);
      return 0;
    }
    std::vector<std::string> steps_killed;
    int repaired = 0;  // kill points that left something for recover to do
    const auto at_kill_point = [&](int step) {
      Problems problems;
      if (killing_detach) attach(s, problems, "the pre-kill");
      if (s.make_blank) s.make_blank();
      const TracedRun run = run_traced_at(operation, complete, step);
      expect_no_secret_in(run);
      if (const std::string wrong = wrong_kill_point(complete, run, step); !wrong.empty()) {
        problems.push_back(wrong);
      }
      if (run.killed) steps_killed.push_back(run.step_names.back());
      if (!run.killed && run.result.exit_code != 0) {
        problems.push_back("the run that was not killed failed: " + outcome(run.result));
      } else if (!run.killed && killing_detach) {
        check_detached(s, problems);
      } else if (!run.killed) {
        check_attached(s, problems);
        detach(s, problems, "the unkilled attach's");
      } else {
        if (recover_after_kill(s, problems)) ++repaired;
        use_again(s, problems);
      }
      if (!problems.empty()) {
        failures.push_back("kill point " + std::to_string(step) + " (" +
                           (run.killed ? "before " + run.step_names.back() : "not killed") +
                           "): " + joined(problems));
        scrub(connection->get(), s.at());
      }
    };
    const KillPointChoice choice = sampled_unless_whole(complete.steps, stride);
    if (stride > 1) std::cout << s.name << ": kill points " << choice.how << std::endl;
    for (int step : choice.points) at_kill_point(step);
    report_sweep(s.name, steps_killed, static_cast<int>(choice.points.size()), repaired, failures);
    return static_cast<int>(choice.points.size());
  }

  // The passphrase shows nowhere in what the run printed, nor in its or its helpers'
  // command lines and environments while it ran.
  void expect_no_secret_in(const TracedRun& run) const {
    IntegrationTest::expect_no_secret_in(run.result);
    EXPECT_THAT(views_holding(run, passphrase), ::testing::IsEmpty())
        << "the passphrase could be read there while volcrypt ran";
  }
  using IntegrationTest::expect_no_secret_in;

  // The steps of a reference run: the kill points the sweep's failures number.
  static void print_steps(const std::string& name, const TracedRun& run) {
    for (size_t i = 0; i < run.step_names.size(); ++i) {
      std::cout << name << " step " << i + 1 << ": " << run.step_names[i] << "\n";
    }
  }

  // Prints what a sweep covered and fails the test for each kill point that left a problem.
  void report_sweep(const std::string& name, const std::vector<std::string>& steps_killed,
                    int covered, int repaired, const Problems& failures) {
    std::cout << "kill points covered: " << name << " " << kill_point_summary(steps_killed) << "; "
              << repaired << " left something to repair" << std::endl;
    RecordProperty("kill_points", covered);
    RecordProperty("kill_points_repaired", repaired);
    // A sweep that never caught the operation half-way would prove nothing.
    EXPECT_GT(repaired, 0) << "no kill point left anything for recover to do";
    std::string report;
    for (const auto& failure : failures) report += "\n  " + failure;
    EXPECT_TRUE(failures.empty()) << failures.size() << " of " << covered
                                  << " kill points left a problem:" << report;
  }

  Scenario scenario(const std::string& name, const TestDomain& domain, bool live) {
    Scenario s{name,
               &domain,
               make_luks1_with_pattern("kill.luks", kPattern),
               unique("killvol"),
               live,
               domain_uuid(connection->get(), domain.name())};
    volume_ids.push_back(s.volume_id);
    return s;
  }
};

// A LUKS1 RBD image on the test cluster, hot-plugged as a network disk: the header is
// read over the network (not a step: it changes nothing) and the deployer's Ceph secret
// is never a thing to undo.
class KillPointsRbd : public KillPoints {
 protected:
  // blank: a blank image that attach formats (LUKS1, by librbd) in each run.
  Scenario rbd_scenario(const std::string& name, const TestDomain& domain, bool blank = false) {
    const NetworkStorage& storage = network_storage();
    if (blank) {
      image = std::make_unique<RbdImage>(RbdImage::zeros(unique("killblank"), 32ull << 20));
    } else {
      image = std::make_unique<RbdImage>(RbdImage::encrypted(
          unique("killrbd"), 32ull << 20, RbdEncryption::qemu_luks1, passphrase_file));
      qemu_io_network(qemu_volume(*image), QemuDecryption::qemu_luks, passphrase_file,
                      {"write -P " + std::to_string(kPattern) + " 0 1M"});
    }
    Scenario s{name,
               &domain,
               "rbd:" + image->spec(),
               unique("killrbdvol"),
               true,
               domain_uuid(connection->get(), domain.name())};
    s.source_args = {"--source",      "rbd:" + image->spec(),
                     "--monitor",     storage.mon_host + ":" + std::to_string(storage.mon_port),
                     "--auth-user",   storage.ceph_user,
                     "--auth-secret", storage.ceph_secret_uuid};
    if (blank) s.make_blank = [this] { image->blank_again(); };
    volume_ids.push_back(s.volume_id);
    return s;
  }
  std::unique_ptr<RbdImage> image;
};

// Killed after the host formatted the blank image and before the secret or the disk, the
// image is LUKS with the caller's passphrase and the retry attaches it; killed before, it
// is still blank and the retry formats it. Either way recover undoes only the attach.
TEST_F(KillPointsRbd, LiveAttachOfABlankRbdImage) {
  auto domain = running_domain("kill-rbd-blank");
  // librbd formats the image at every point (~8 s each, its PBKDF cannot be lowered):
  // every 4th step by default, every step with VOLCRYPT_KILL_WHOLE=1.
  sweep(rbd_scenario("attach blank rbd live", *domain, true), false, kBlankRbdKillStride);
}

TEST_F(KillPointsRbd, LiveAttachOfAnRbdImage) {
  auto domain = running_domain("kill-rbd-attach");
  sweep(rbd_scenario("attach rbd live", *domain), false);
}

TEST_F(KillPointsRbd, DetachOfALiveAttachedRbdImage) {
  auto domain = running_domain("kill-rbd-detach");
  sweep(rbd_scenario("detach rbd live", *domain), true);
}

TEST_F(KillPoints, LiveAttach) {
  auto domain = running_domain("kill-attach");
  sweep(scenario("attach live", *domain, true), false);
}

TEST_F(KillPoints, DetachOfALiveAttachedDisk) {
  auto domain = running_domain("kill-detach");
  sweep(scenario("detach live", *domain, true), true);
}

TEST_F(KillPoints, ConfigAttachToAShutOffDomain) {
  TestDomain domain(connection->get(), unique("kill-config"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = ""});
  const Scenario s = scenario("attach config", domain, false);
  sweep(s, false);
  // After every kill point the volume still boots with the domain: QEMU opens it at start
  // and the guest reads the plaintext.
  const ProcessResult r = volcrypt(attach_args(s));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  domain.start();
  EXPECT_THAT(domain.read_pattern(kTarget, kPattern, 1 << 20),
              HasSubstr("read 1048576/1048576 bytes at offset 0"));
}

bool set_running(virConnectPtr connection, const std::string& name, bool running) {
  virDomainPtr handle = virDomainLookupByName(connection, name.c_str());
  if (handle == nullptr) return false;
  bool ok = virDomainIsActive(handle) == (running ? 1 : 0) ||
            (running ? virDomainCreate(handle) : virDomainDestroy(handle)) == 0;
  virDomainFree(handle);
  return ok;
}

bool runs(virConnectPtr connection, const std::string& name) {
  virDomainPtr handle = virDomainLookupByName(connection, name.c_str());
  const bool active = handle != nullptr && virDomainIsActive(handle) == 1;
  if (handle != nullptr) virDomainFree(handle);
  return active;
}

// A start killed anywhere leaves, after `recover`, either the domain running with its
// secret, or the domain shut off with its secret missing as before the start, and no
// intent; then `volcrypt start` starts it and the guest reads the plaintext.
TEST_F(KillPoints, StartOfADomainWhoseSecretWasDropped) {
  TestDomain domain(connection->get(), unique("kill-start"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = ""});
  Scenario s = scenario("start", domain, false);
  ProcessResult r = volcrypt(attach_args(s));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto secrets = secrets_for_volume(connection->get(), s.volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  const std::string uuid = secrets[0];
  const std::string keys = path("start-keys");
  std::filesystem::create_directory(keys);
  test_volumes::write_file(keys + "/" + s.volume_id, passphrase);
  const std::vector<std::string> start = {"start", "--domain", domain.name(), "--passphrase-dir",
                                          keys};
  const auto started = [&](Problems& problems, const std::string& which) {
    if (secrets_for_volume(connection->get(), s.volume_id) != std::vector<std::string>{uuid}) {
      problems.push_back(which + ": the running domain's secret is not there");
    }
    const std::string verdict = domain.read_pattern(kTarget, kPattern, 1 << 20);
    if (verdict.find("read 1048576/1048576 bytes at offset 0") == std::string::npos) {
      problems.push_back(which + ": the guest does not read the plaintext: " + verdict);
    }
    const ProcessResult check = volcrypt({"check", "--domain", domain.name(), "--json"});
    if (check.exit_code != 0) problems.push_back(which + ": check is not clean: " + outcome(check));
  };

  // Shut off, its secret gone: the domain after a host restart.
  const auto host_restarted = [&](Problems& problems) {
    if (!set_running(connection->get(), domain.name(), false)) problems.push_back("cannot stop");
    undefine_secret_if_present(connection->get(), uuid);
  };
  Problems failures;
  host_restarted(failures);
  const TracedRun complete =
      reference_run(with_program(start), {kDefineSecret, kSetSecretValue, kStartDomain});
  expect_no_secret_in(complete);
  print_steps("start", complete);
  if (complete.result.exit_code != 0) failures.push_back(outcome(complete.result));
  started(failures, "the reference start");
  ASSERT_TRUE(failures.empty()) << "the start does not work unkilled: " << joined(failures);

  std::vector<std::string> steps_killed;
  int repaired = 0;
  const auto at_kill_point = [&](int step) {
    Problems problems;
    host_restarted(problems);
    const TracedRun run = run_traced_at(with_program(start), complete, step);
    expect_no_secret_in(run);
    if (const std::string wrong = wrong_kill_point(complete, run, step); !wrong.empty()) {
      problems.push_back(wrong);
    }
    if (run.killed) steps_killed.push_back(run.step_names.back());
    if (!run.killed) {
      if (run.result.exit_code != 0) problems.push_back("unkilled start: " + outcome(run.result));
      started(problems, "the unkilled start");
    } else {
      const ProcessResult recover = volcrypt({"recover", "--domain", domain.name(), "--json"});
      if (recover.out.find("\"action\":\"rolled back start\"") != std::string::npos) ++repaired;
      const ProcessResult check = volcrypt({"check", "--domain", domain.name(), "--json"});
      const bool running = runs(connection->get(), domain.name());
      for (const auto& finding : objects_in_array(check.out, "findings")) {
        // Shut off, the missing secret is the state before the start, nothing else.
        if (!running && has_field(finding, "kind", "missing_secret")) continue;
        problems.push_back("after recover, check finds " + finding);
      }
      if (!running && !secrets_for_volume(connection->get(), s.volume_id).empty()) {
        problems.push_back("the domain did not start but the start's secret is left");
      }
      if (!running) {
        const ProcessResult again = volcrypt(start);
        if (again.exit_code != 0) problems.push_back("the next start failed: " + outcome(again));
      }
      started(problems, running ? "the killed start's domain" : "the next start");
    }
    if (!problems.empty()) {
      failures.push_back("kill point " + std::to_string(step) + " (" +
                         (run.killed ? "before " + run.step_names.back() : "not killed") +
                         "): " + joined(problems));
    }
  };
  for (int step = 1; step <= complete.steps; ++step) at_kill_point(step);
  set_running(connection->get(), domain.name(), false);
  report_sweep("start", steps_killed, complete.steps, repaired, failures);
}

// Extend of a live native disk, killed at each step: the volume is cut back to its old
// size and attached again before each kill point, then grown. After the kill `recover`
// rolls an extend that got as far as its intent forward (growing is what was asked), and
// check calls the disk, whatever its size, consistent; extend then finishes the job.
TEST_F(KillPoints, LiveExtendOfANativeDisk) {
  auto domain = running_domain("kill-extend");
  const Scenario s = scenario("extend live", *domain, true);
  constexpr off_t kOld = 8 << 20;  // make_luks1_with_pattern's size
  constexpr off_t kNew = 16 << 20;
  const std::vector<std::string> operation =
      with_program({"extend", "--domain", domain->name(), "--target", kTarget});
  const auto capacity = [&] { return disk_capacity(connection->get(), domain->name(), kTarget); };
  // The disk at the old size of a volume that has grown since.
  const auto old_disk = [&](Problems& problems) {
    if (has_disk(connection->get(), domain->name(), kTarget, false)) {
      detach(s, problems, "the previous");
    }
    ASSERT_EQ(::truncate(s.volume.c_str(), kOld), 0);
    attach(s, problems, "the pre-kill");
    ASSERT_EQ(::truncate(s.volume.c_str(), kNew), 0);
  };

  Problems problems;
  old_disk(problems);
  const uint64_t old_size = capacity();
  const TracedRun complete = reference_run(operation, {kResizeDisk});
  expect_no_secret_in(complete);
  print_steps("extend live", complete);
  ASSERT_EQ(complete.result.exit_code, 0) << outcome(complete.result);
  const uint64_t new_size = capacity();
  ASSERT_GT(new_size, old_size);
  ASSERT_TRUE(problems.empty()) << joined(problems);

  Problems failures;
  std::vector<std::string> steps_killed;
  int repaired = 0;
  const auto at_kill_point = [&](int step) {
    Problems problems;
    old_disk(problems);
    const TracedRun run = run_traced_at(operation, complete, step);
    expect_no_secret_in(run);
    if (const std::string wrong = wrong_kill_point(complete, run, step); !wrong.empty()) {
      problems.push_back(wrong);
    }
    if (!run.killed) {
      failures.push_back(joined(problems));
      return;
    }
    steps_killed.push_back(run.step_names.back());
    // Something to repair after a kill here is the extend's own intent.
    const bool had_intent = recover_after_kill(s, problems);
    if (had_intent) ++repaired;
    const uint64_t after = capacity();
    if (had_intent && after != new_size) {
      problems.push_back("recover did not finish the extend: the disk has " +
                         std::to_string(after) + " bytes, not " + std::to_string(new_size));
    } else if (after != old_size && after != new_size) {
      problems.push_back("the disk has " + std::to_string(after) + " bytes, neither size");
    }
    const ProcessResult again =
        volcrypt(std::vector<std::string>(operation.begin() + 1, operation.end()));
    if (again.exit_code != 0 || capacity() != new_size) {
      problems.push_back("extend after recover did not grow the disk: " + outcome(again));
    }
    check_attached(s, problems);
    if (!problems.empty()) {
      failures.push_back("kill point " + std::to_string(step) + " (before " +
                         run.step_names.back() + "): " + joined(problems));
    }
  };
  for (int step = 1; step <= complete.steps; ++step) at_kill_point(step);
  report_sweep("extend live", steps_killed, complete.steps, repaired, failures);
  detach(s, problems, "the last");
}

// Rekey of a live native disk, killed at each step; before each kill point the volume is
// made afresh and attached (live and persistent) with the old passphrase. After the kill
// `recover` must leave a secret that opens the volume: the domain, stopped and started
// again, has QEMU open it with what the secret holds. Then the volume detaches and
// attaches again with the old or the new passphrase, whichever opens it.
TEST_F(KillPoints, RekeyOfALiveNativeDisk) {
  TestDomain domain(connection->get(), unique("kill-rekey"),
                    DomainOptions{.persistent = true, .start = true, .serial_log = ""});
  const Scenario s = scenario("rekey live", domain, true);
  const std::string new_passphrase = "new-" + passphrase;
  const std::string new_passphrase_file = path("new-passphrase");
  test_volumes::write_file(new_passphrase_file, new_passphrase);
  chmod(new_passphrase_file.c_str(), 0600);
  const auto attach_with = [&](const std::string& key_file) {
    std::vector<std::string> args = attach_args(s);
    args[args.size() - 2] = key_file;  // the --passphrase-file, before --live
    args.push_back("--config");
    return volcrypt(args);
  };
  const std::vector<std::string> detach_both = {"detach", "--domain", domain.name(), "--target",
                                                kTarget,  "--live",   "--config"};
  const auto fresh = [&](Problems& problems) {
    if (has_disk(connection->get(), domain.name(), kTarget, true)) {
      const ProcessResult r = volcrypt(detach_both);
      if (r.exit_code != 0) problems.push_back("the previous detach failed: " + outcome(r));
    }
    make_luks1_with_pattern("kill.luks", kPattern);
    const ProcessResult r = attach_with(passphrase_file);
    if (r.exit_code != 0) problems.push_back("the pre-kill attach failed: " + outcome(r));
  };
  const auto reads = [&](Problems& problems, const std::string& which) {
    const std::string verdict = domain.read_pattern(kTarget, kPattern, 1 << 20);
    if (verdict.find("read 1048576/1048576 bytes at offset 0") == std::string::npos) {
      problems.push_back(which + ": the guest does not read the plaintext: " + verdict);
    }
  };
  const std::vector<std::string> operation =
      with_program({"rekey", "--domain", domain.name(), "--target", kTarget, "--passphrase-file",
                    passphrase_file, "--new-passphrase-file", new_passphrase_file});
  const auto no_key_in = [&](const TracedRun& run) {
    expect_no_secret_in(run);
    EXPECT_THAT(views_holding(run, new_passphrase), ::testing::IsEmpty());
    EXPECT_EQ(run.result.out.find(new_passphrase), std::string::npos);
    EXPECT_EQ(run.result.err.find(new_passphrase), std::string::npos);
  };

  Problems problems;
  fresh(problems);
  ASSERT_TRUE(problems.empty()) << joined(problems);
  const TracedRun complete = reference_run(operation, {kSetSecretValue});
  no_key_in(complete);
  print_steps("rekey live", complete);
  ASSERT_EQ(complete.result.exit_code, 0) << outcome(complete.result);
  ASSERT_TRUE(test_volumes::luks_passphrase_opens(s.volume, new_passphrase));
  ASSERT_FALSE(test_volumes::luks_passphrase_opens(s.volume, passphrase));

  Problems failures;
  std::vector<std::string> steps_killed;
  int repaired = 0;
  const auto at_kill_point = [&](int step) {
    Problems problems;
    fresh(problems);
    const TracedRun run = run_traced_at(operation, complete, step);
    no_key_in(run);
    if (const std::string wrong = wrong_kill_point(complete, run, step); !wrong.empty()) {
      problems.push_back(wrong);
    }
    if (run.killed) {
      steps_killed.push_back(run.step_names.back());
      if (recover_after_kill(s, problems)) ++repaired;
    } else if (run.result.exit_code != 0) {
      problems.push_back("the run that was not killed failed: " + outcome(run.result));
    }
    reads(problems, "after recover");
    // QEMU opens the volume afresh with the secret's value.
    if (!set_running(connection->get(), domain.name(), false) ||
        !set_running(connection->get(), domain.name(), true)) {
      problems.push_back("the domain does not start again: its secret opens no key slot");
    } else {
      reads(problems, "after a restart");
    }
    ProcessResult r = volcrypt(detach_both);
    if (r.exit_code != 0) problems.push_back("detach failed: " + outcome(r));
    r = attach_with(passphrase_file);
    if (r.exit_code == 4) r = attach_with(new_passphrase_file);
    if (r.exit_code != 0) {
      problems.push_back("neither passphrase attaches the volume again: " + outcome(r));
    } else {
      reads(problems, "attached again");
    }
    if (!problems.empty()) {
      failures.push_back("kill point " + std::to_string(step) + " (" +
                         (run.killed ? "before " + run.step_names.back() : "not killed") +
                         "): " + joined(problems));
    }
  };
  for (int step = 1; step <= complete.steps; ++step) at_kill_point(step);
  report_sweep("rekey live", steps_killed, complete.steps, repaired, failures);
  volcrypt(detach_both);
}

TEST_F(KillPoints, TheNextAttachFinishesOrUndoesAKilledCall) {
  auto domain = running_domain("kill-replay");
  const Scenario s = scenario("replay", *domain, true);
  Problems problems;

  // An attach killed just before it plugs the disk in leaves its secret and its intent;
  // the next attach on the domain deals with them first and ends with one secret.
  const TracedRun attach_run = run_traced(with_program(attach_args(s)));
  ASSERT_EQ(attach_run.result.exit_code, 0) << attach_run.result.err;
  detach(s, problems, "the first");
  const TracedRun killed_attach =
      run_traced_at(with_program(attach_args(s)), attach_run, step_of(attach_run, kPlugDisk));
  ASSERT_TRUE(killed_attach.killed);
  EXPECT_FALSE(has_disk(connection->get(), s.domain->name(), kTarget, false));
  EXPECT_EQ(secrets_for_volume(connection->get(), s.volume_id).size(), 1u)
      << "the kill should have left the secret behind";
  attach(s, problems, "the next");
  EXPECT_TRUE(problems.empty()) << joined(problems);

  // A detach killed just after it unplugged the disk leaves the secret and the record;
  // the next attach releases them and attaches afresh.
  const TracedRun detach_run = run_traced(with_program(detach_args(s)));
  ASSERT_EQ(detach_run.result.exit_code, 0) << detach_run.result.err;
  attach(s, problems, "the second");
  const TracedRun killed_detach =
      run_traced_at(with_program(detach_args(s)), detach_run, step_of(detach_run, kUnplugDisk) + 1);
  ASSERT_TRUE(killed_detach.killed);
  EXPECT_FALSE(has_disk(connection->get(), s.domain->name(), kTarget, false));
  attach(s, problems, "the attach after the killed detach");
  detach(s, problems, "the last");
  EXPECT_TRUE(problems.empty()) << joined(problems);
  const ProcessResult check = volcrypt({"check", "--domain", s.domain->name(), "--json"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(KillPoints, DestroyedDomainLeaksItsSecretUntilRecover) {
  auto domain = running_domain("destroyed");
  const std::string volume = make_luks1_with_pattern("destroyed.luks", kPattern);
  const std::string volume_id = unique("destroyedvol");
  volume_ids.push_back(volume_id);
  // A secret volcrypt did not make (Nova defines them itself), used by no disk.
  const std::string foreign_id = unique("novasecret");
  volume_ids.push_back(foreign_id);
  const std::string foreign_uuid =
      define_secret(connection->get(), foreign_id, "nova-" + foreign_id);

  ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", kTarget, "--bus",
                              "scsi", "--source", volume, "--volume-id", volume_id, "--provider",
                              "luks", "--passphrase-file", passphrase_file, "--live"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  // A transient domain that is destroyed is gone, and libvirt keeps the secret it used.
  virDomainPtr handle = virDomainLookupByName(connection->get(), domain->name().c_str());
  ASSERT_NE(handle, nullptr);
  ASSERT_EQ(virDomainDestroy(handle), 0);
  virDomainFree(handle);
  ASSERT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);

  const auto names = [](const std::string& object, const std::string& volume_id,
                        const std::string& uuid) {
    return has_field(object, "volume_id", volume_id) || has_field(object, "secret_uuid", uuid);
  };
  r = volcrypt({"check", "--json"});
  EXPECT_EQ(r.exit_code, 11) << r.out << r.err;
  bool orphan_reported = false;
  for (const auto& finding : objects_in_array(r.out, "findings")) {
    if (names(finding, volume_id, secrets[0])) {
      orphan_reported = orphan_reported || has_field(finding, "kind", "orphan_secret");
    }
    EXPECT_FALSE(names(finding, foreign_id, foreign_uuid))
        << "check reports a secret volcrypt did not make: " << finding;
  }
  EXPECT_TRUE(orphan_reported) << "check does not report the leaked secret: " << r.out << r.err;

  r = volcrypt({"recover", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty())
      << "recover left the destroyed domain's secret: " << r.out << r.err;
  EXPECT_EQ(secrets_for_volume(connection->get(), foreign_id),
            std::vector<std::string>{foreign_uuid})
      << "recover touched a secret volcrypt did not make: " << r.out;
  for (const auto& action : objects_in_array(r.out, "actions")) {
    EXPECT_FALSE(names(action, foreign_id, foreign_uuid)) << action;
  }

  r = volcrypt({"check", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(says_clean(r)) << r.out << r.err;
}

}  // namespace
}  // namespace volcrypt::test
