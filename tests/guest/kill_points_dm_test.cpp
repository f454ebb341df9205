// Kill points of a dm-crypt volume, inside the VM: the real `volcrypt` attaching a LUKS2
// volume on a loop device to a running nested domain (it falls back to cryptsetup-luks,
// which opens /dev/mapper/crypt-loopN and hands it to QEMU), and detaching it, is killed
// with SIGKILL as it enters each externally visible step: a libvirt RPC, a write, sync,
// rename or removal of its intent, a device-mapper request
// (tests/integration/support/kill_points.hpp). After each kill `volcrypt recover` must
// leave `volcrypt check` clean, and libvirt and the kernel must agree that nothing is left
// half done (mapped_volume_rules.hpp); then the volume attaches again, the nested guest
// reads its plaintext through QEMU, and detach closes the mapping.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <memory>

#include "block_io.hpp"
#include "direct_mapping.hpp"
#include "dm_crypt_test.hpp"
#include "domain_power.hpp"
#include "guest_paths.hpp"
#include "host_debris.hpp"
#include "json_objects.hpp"
#include "kill_point_selection.hpp"
#include "kill_points.hpp"
#include "libvirt_checks.hpp"
#include "mapped_volume_rules.hpp"
#include "mapping_inventory.hpp"
#include "process.hpp"
#include "scrub.hpp"
#include "test_domain.hpp"
#include "volume_consistency.hpp"

namespace volcrypt::guest {
namespace {

using test::ProcessResult;
using Problems = std::vector<std::string>;

constexpr uint8_t kPattern = 0x6b;
constexpr const char* kTarget = "sdb";
constexpr const char* kReadOk = "read 1048576/1048576 bytes at offset 0";
constexpr uint64_t kExtendGrowth = 16u << 20;
// The device-mapper requests that open a mapping (support/kill_points.cpp names them):
// a reference run without them would not be killed where the sweep means to kill.
const std::vector<std::string> kOpeningSteps = {"dm create", "dm load-table",
                                                "dm suspend-or-resume"};

std::string joined(const Problems& problems, const char* separator = "; ") {
  std::string out;
  for (const auto& problem : problems) out += (out.empty() ? "" : separator) + problem;
  return out;
}

std::string outcome(const ProcessResult& result) {
  return "exit " + std::to_string(result.exit_code) + ", out: " + result.out +
         " err: " + result.err;
}

bool says_clean(const ProcessResult& result) {
  return result.out.find("\"clean\":true") != std::string::npos;
}

// The mapping names in the orphan_mapping entries of a JSON array of check or recover.
std::vector<std::string> reported_orphan_mappings(const std::string& json,
                                                  const std::string& array) {
  constexpr std::string_view kPrefix = "dm-crypt mapping ";
  std::vector<std::string> names;
  for (const auto& finding : test::objects_in_array(json, array)) {
    if (!test::has_field(finding, "kind", "orphan_mapping")) continue;
    const size_t at = finding.find(kPrefix);
    if (at == std::string::npos) continue;
    const size_t start = at + kPrefix.size();
    names.push_back(finding.substr(start, finding.find(' ', start) - start));
  }
  return names;
}

bool device_mapper_has(const std::string& name) {
  for (const auto& device : device_mapper_devices()) {
    if (device.name == name) return true;
  }
  return false;
}

// A line the host runner shows as it comes (tests/guest/run).
void note(const std::string& line) { std::cout << "\nGUEST-NOTE " << line << std::endl; }

class KillPointsDmCrypt : public DmCryptTest {
 protected:
  void SetUp() override {
    DmCryptTest::SetUp();
    connection = std::make_unique<test::Connection>();
    key_file = passphrase_file_for_volcrypt();

    volume = luks_volume("kill.luks2", test_volumes::LuksVersion::luks2);
    write_through_luks(volume.device, passphrase, kPattern, kPatternSize);
    static int counter = 0;
    const std::string unique = std::to_string(getpid()) + "-" + std::to_string(++counter);
    volume_id = "vc-guest-killvol-" + unique;
    domain = std::make_unique<test::TestDomain>(connection->get(), "vc-guest-kill-" + unique,
                                                test::DomainOptions{});

    // Every problem found later must be the sweep's own.
    const Problems before = broken_mapping_rules(connection->get(), at());
    ASSERT_TRUE(before.empty()) << "the VM is not clean before the sweep: " << joined(before);
    const ProcessResult check = volcrypt({"check", "--json"});
    ASSERT_EQ(check.exit_code, 0) << "the VM is not clean before the sweep: " << outcome(check);
  }

  void TearDown() override {
    if (domain) clean_up_independently();
    domain.reset();
    DmCryptTest::TearDown();
  }

  // "kill points covered: dm attach 40, dm detach 35", once both sweeps ran.
  static void TearDownTestSuite() {
    if (!covered_counts().empty()) note("kill points covered: " + joined(covered_counts(), ", "));
    covered_counts().clear();
  }
  static Problems& covered_counts() {
    static Problems counts;
    return counts;
  }

  MappedVolumeAt at() const { return {domain->name(), kTarget, volume_id}; }

  std::vector<std::string> attach_args() const {
    return {"attach", "--domain",          domain->name(), "--target",    kTarget,   "--bus",
            "scsi",   "--source",          volume.device,  "--volume-id", volume_id, "--provider",
            "luks",   "--passphrase-file", key_file,       "--live"};
  }

  std::vector<std::string> detach_args() const {
    return {"detach", "--domain", domain->name(), "--target", kTarget, "--live"};
  }

  // What a user checks while the volume is attached: the guest's disk is the volume's
  // mapping, the record is there, nothing else is open, and (read) the nested guest reads
  // the plaintext through QEMU.
  void check_attached(Problems& problems, const std::string& which, bool read) {
    const std::optional<std::string> source =
        live_disk_source(connection->get(), domain->name(), kTarget);
    if (source != mapper_path(volume.mapping())) {
      problems.push_back(which + " disk's source is " + source.value_or("missing") + ", not " +
                         mapper_path(volume.mapping()));
    }
    if (!test::has_record(connection->get(), domain->name(), kTarget, false)) {
      problems.push_back(which + " disk has no record");
    }
    for (const auto& rule : broken_mapping_rules(connection->get(), at())) {
      problems.push_back("with " + which + " disk attached, " + rule);
    }
    if (read) {
      const std::string verdict = domain->read_pattern(kTarget, kPattern, kPatternSize);
      if (verdict.find(kReadOk) == std::string::npos) {
        problems.push_back("the nested guest does not read the plaintext through " + which +
                           " disk: " + verdict);
      }
    }
  }

  void check_detached(Problems& problems, const std::string& which) {
    if (live_disk_source(connection->get(), domain->name(), kTarget)) {
      problems.push_back("disk " + std::string(kTarget) + " is still there after " + which +
                         " detach");
    }
    if (test::has_record(connection->get(), domain->name(), kTarget, false)) {
      problems.push_back("the record outlived " + which + " detach");
    }
    for (const auto& rule : broken_mapping_rules(connection->get(), at())) {
      problems.push_back("after " + which + " detach, " + rule);
    }
    for (const auto& intent : intent_files_left()) {
      problems.push_back("after " + which + " detach, intent " + intent + " is left");
    }
  }

  void attach(Problems& problems, const std::string& which, bool read) {
    const ProcessResult r = volcrypt(attach_args());
    if (r.exit_code != 0) return problems.push_back(which + " attach failed: " + outcome(r));
    check_attached(problems, which, read);
  }

  void detach(Problems& problems, const std::string& which) {
    const ProcessResult r = volcrypt(detach_args());
    if (r.exit_code != 0) return problems.push_back(which + " detach failed: " + outcome(r));
    check_detached(problems, which);
  }

  // The state a kill left, as libvirt and the kernel show it, for the report.
  std::string what_is_left() {
    Problems left;
    const bool running = domain_runs(connection->get(), domain->name());
    if (!running) left.push_back("domain shut off");
    if (auto source = live_disk_source(connection->get(), domain->name(), kTarget)) {
      left.push_back((running ? "disk on " : "persistent disk on ") + *source);
    }
    if (test::has_record(connection->get(), domain->name(), kTarget, !running)) {
      left.push_back("record");
    }
    for (const auto& intent : intent_files_left()) left.push_back("intent " + intent);
    for (const auto& device : device_mapper_devices()) {
      left.push_back("mapping " + describe(device));
    }
    for (const auto& node : stale_mapper_nodes()) left.push_back("stale node " + node);
    if (!test::secrets_for_volume(connection->get(), volume_id).empty()) left.push_back("secret");
    return left.empty() ? "nothing" : joined(left, ", ");
  }

  // After a kill: check sees what libvirt and the kernel see; recover repairs; then check,
  // libvirt and the kernel agree that everything is consistent. Returns whether there was
  // anything to repair.
  bool recover_after_kill(Problems& problems) {
    const Problems broken = broken_mapping_rules(connection->get(), at());
    const ProcessResult before = volcrypt({"check", "--json"});
    if (before.exit_code != 0 && before.exit_code != 11) {
      problems.push_back("check before recover failed: " + outcome(before));
    } else if (!broken.empty() && (before.exit_code != 11 || says_clean(before))) {
      problems.push_back("check called the VM clean while it has: " + joined(broken));
    }
    const ProcessResult recover = volcrypt({"recover", "--json"});
    if (recover.exit_code != 0 || !says_clean(recover)) {
      problems.push_back("recover did not leave it clean: " + outcome(recover));
    }
    const ProcessResult after = volcrypt({"check", "--json"});
    if (after.exit_code != 0 || !says_clean(after)) {
      problems.push_back("check after recover is not clean: " + outcome(after));
    }
    const Problems still_broken = broken_mapping_rules(connection->get(), at());
    for (const auto& rule : still_broken) problems.push_back("after recover, " + rule);
    if (!still_broken.empty() && after.exit_code == 0) {
      problems.push_back(
          "check after recover calls the VM clean while device-mapper or libvirt show the "
          "problems above");
    }
    for (const auto& intent : intent_files_left()) {
      problems.push_back("after recover, intent " + intent + " is left");
    }
    // Suspended or table-less devices, and nodes without a device.
    for (const auto& left : test::device_mapper_debris()) {
      problems.push_back("after recover, " + left);
    }
    // The other way round: what they call an orphan mapping must exist.
    report_orphans_device_mapper_lacks("recover", recover.out, "remaining", problems);
    report_orphans_device_mapper_lacks("check", after.out, "findings", problems);
    return !broken.empty() || before.exit_code == 11;
  }

  void report_orphans_device_mapper_lacks(const std::string& command, const std::string& json,
                                          const std::string& array, Problems& problems) {
    for (const auto& name : reported_orphan_mappings(json, array)) {
      if (device_mapper_has(name)) continue;
      problems.push_back(
          command + " reports orphan mapping " + name + ", which device-mapper does not have" +
          (path_exists(mapper_path(name)) ? " (only a stale /dev/mapper node)" : ""));
    }
  }

  // The volume is usable again: a disk that recover kept works and detaches; then the
  // volume attaches afresh (the nested guest reads it) and detaches.
  void use_again(Problems& problems) {
    if (live_disk_source(connection->get(), domain->name(), kTarget)) {
      check_attached(problems, "the kept", true);
      detach(problems, "the kept disk's");
    }
    attach(problems, "a fresh", true);
    detach(problems, "the fresh disk's");
  }

  // After a kill point volcrypt failed to repair, back to "never attached" without
  // volcrypt, so that one failure does not hide the next kill point's.
  void clean_up_independently() {
    test::scrub(connection->get(), test::VolumeAt{domain->name(), kTarget, volume_id, true});
    close_every_mapping();
  }

  // Without volcrypt; a start sweep's failure keeps the disk, so that the next kill point
  // still starts from a host restart.
  void close_every_mapping() {
    for (const auto& device : device_mapper_devices()) {
      try {
        remove_dm_device(device.name);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "could not clean up: " << e.what();
      }
    }
  }

  // One complete, untraced-by-kill run of the operation: its steps are the kill points.
  test::TracedRun complete_run(const std::vector<std::string>& operation, bool killing_detach,
                               Problems& problems) {
    if (killing_detach) attach(problems, "the first", false);
    // The plugin opens its mapping with these requests and closes it with the last.
    const std::vector<std::string> expected =
        killing_detach ? std::vector<std::string>{"dm remove"} : kOpeningSteps;
    test::TracedRun run = test::reference_run(operation, expected);
    expect_no_passphrase_in(run.result);
    if (run.result.exit_code != 0) {
      problems.push_back("the complete run failed: " + outcome(run.result));
    } else if (killing_detach) {
      check_detached(problems, "the complete");
    } else {
      check_attached(problems, "the complete attach's", true);
      detach(problems, "the complete attach's");
    }
    return run;
  }

  // Kills `operation` (attach, or detach of an attached volume) at each of its kill
  // points, repairs and checks after each, and reports every kill point that left a
  // problem. Returns how many kill points were covered.
  int sweep(const std::string& name, bool killing_detach) {
    std::vector<std::string> operation = killing_detach ? detach_args() : attach_args();
    operation.insert(operation.begin(), volcrypt_program());
    Problems failures;
    const test::TracedRun complete = complete_run(operation, killing_detach, failures);
    if (!failures.empty()) {
      ADD_FAILURE() << "the " << name << " does not work unkilled: " << joined(failures);
      return 0;
    }
    print_steps(name, complete);

    std::vector<std::string> steps_killed;
    Problems failed_points;  // e.g. "38 before dm load-table", for the one-line summary
    int repaired = 0;        // kill points that left something for recover to do
    const auto at_kill_point = [&](int step) {
      const auto started = std::chrono::steady_clock::now();
      Problems problems;
      if (killing_detach) attach(problems, "the pre-kill", false);
      const test::TracedRun traced = test::run_traced(operation, step);
      expect_no_passphrase_in(traced.result);
      std::string left = "-";
      if (!traced.killed) {
        problems.push_back("the run was not killed: it made " + std::to_string(traced.steps) +
                           " steps, the complete run " +
                           std::to_string(complete.step_names.size()));
      } else {
        steps_killed.push_back(traced.step_names.back());
        if (traced.step_names.back() != complete.step_names[step - 1]) {
          problems.push_back("step " + std::to_string(step) + " is " + traced.step_names.back() +
                             ", in the complete run " + complete.step_names[step - 1]);
        }
        left = what_is_left();
        if (recover_after_kill(problems)) ++repaired;
        use_again(problems);
      }
      const std::string point =
          std::to_string(step) + " " +
          (traced.killed ? "before " + traced.step_names.back() : "not killed");
      const std::string where = "dm " + name + " kill point " + point;
      const auto seconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - started)
                               .count() /
                           1000.0;
      std::cout << where << " [" << seconds << " s]: left " << left << "; "
                << (problems.empty() ? "ok" : "PROBLEMS: " + joined(problems)) << std::endl;
      if (!problems.empty()) {
        failures.push_back(where + ", left " + left + ": " + joined(problems));
        failed_points.push_back(point);
        clean_up_independently();
      }
    };
    const bool every_step = runner_setting("kill-points") == "every";
    const std::vector<int> points = kill_points_to_cover(complete.step_names, every_step);
    for (int step : points) at_kill_point(step);
    const int covered = static_cast<int>(points.size());

    note("kill points covered: dm " + name + " " + test::kill_point_summary(steps_killed) + " of " +
         std::to_string(complete.step_names.size()) + " steps; " + std::to_string(repaired) +
         " left something to repair; " + std::to_string(failures.size()) + " left a problem");
    RecordProperty("kill_points", covered);
    covered_counts().push_back("dm " + name + " " + std::to_string(covered) + " of " +
                               std::to_string(complete.step_names.size()) + " steps");
    // A sweep that never caught the operation half-way would prove nothing.
    EXPECT_GT(repaired, 0) << "no kill point left anything for recover to do";
    EXPECT_TRUE(failures.empty()) << failures.size() << " of " << covered
                                  << " kill points left a problem (" << joined(failed_points)
                                  << "):\n  " << joined(failures, "\n  ");
    return covered;
  }

  // The disk attached at its old size, over a volume that has grown since.
  void old_disk_of_a_grown_volume(Problems& problems) {
    if (live_disk_source(connection->get(), domain->name(), kTarget)) {
      detach(problems, "the previous");
    }
    resize_loop_file(volume.file, volume.device, kVolumeSize);
    attach(problems, "the pre-kill", false);
    resize_loop_file(volume.file, volume.device, kVolumeSize + kExtendGrowth);
  }

  // Both sizes the user checks: the mapping's, and the disk's as libvirt reports it.
  std::string sizes_left() {
    const uint64_t mapping = device_size(mapper_path(volume.mapping()));
    const uint64_t disk = test::disk_capacity(connection->get(), domain->name(), kTarget);
    return std::to_string(mapping) + "/" + std::to_string(disk);
  }

  // Kills a live extend (the mapping grows, then the guest's disk) at each of its kill
  // points: recover must leave check clean and finish an extend that left its intent
  // (mapping and disk both at the new size); an extend run afterwards finishes any other.
  void sweep_extend() {
    std::vector<std::string> operation = {volcrypt_program(), "extend",   "--domain",
                                          domain->name(),     "--target", kTarget};
    Problems failures;
    old_disk_of_a_grown_volume(failures);
    const std::string old_sizes = sizes_left();
    const test::TracedRun complete =
        test::reference_run(operation, {"dm load-table", "dm suspend-or-resume"});
    if (complete.result.exit_code != 0) failures.push_back(outcome(complete.result));
    const std::string new_sizes = sizes_left();
    if (!failures.empty() || old_sizes == new_sizes) {
      ADD_FAILURE() << "the extend does not work unkilled (" << old_sizes << " -> " << new_sizes
                    << "): " << joined(failures);
      return;
    }
    const auto after_kill = [&](const test::TracedRun&, Problems& problems) {
      const std::string left = sizes_left();
      const bool had_intent = recover_after_kill(problems);
      const std::string after = sizes_left();
      if (had_intent ? after != new_sizes : after != old_sizes && after != new_sizes) {
        problems.push_back("after recover mapping/disk are " + after + " bytes, not " +
                           (had_intent ? new_sizes : old_sizes + " or " + new_sizes));
      }
      const ProcessResult again =
          volcrypt(std::vector<std::string>(operation.begin() + 1, operation.end()));
      if (again.exit_code != 0 || sizes_left() != new_sizes) {
        problems.push_back("extend after recover left " + sizes_left() + ": " + outcome(again));
      }
      check_attached(problems, "the extended", true);
      return AfterKill{had_intent, left};
    };
    kill_each_point(
        "extend", operation, complete,
        [&](Problems& problems) { old_disk_of_a_grown_volume(problems); }, after_kill,
        [&] { clean_up_independently(); });
    Problems last;
    detach(last, "the last");
    EXPECT_TRUE(last.empty()) << joined(last);
  }

  // In place of SetUp's running domain, a persistent one of that name, shut off, with the
  // volume attached to its definition (`attach --config` opens the mapping), and the
  // passphrase where `volcrypt start --passphrase-dir` looks for it.
  std::vector<std::string> persistent_domain_with_the_volume(Problems& problems) {
    const std::string name = domain->name();
    domain.reset();
    test::DomainOptions options;
    options.persistent = true;
    options.start = false;
    domain = std::make_unique<test::TestDomain>(connection->get(), name, options);
    std::vector<std::string> args = attach_args();
    args.back() = "--config";
    const ProcessResult r = volcrypt(args);
    if (r.exit_code != 0) problems.push_back("the --config attach failed: " + outcome(r));
    const std::string key_dir = key_file.substr(0, key_file.rfind('/'));
    test_volumes::write_file(key_dir + "/" + volume_id, passphrase);
    chmod((key_dir + "/" + volume_id).c_str(), 0600);
    return {volcrypt_program(), "start", "--domain", domain->name(), "--passphrase-dir", key_dir};
  }

  // As after a host restart: the domain shut off, its mapping closed, its record kept.
  void host_restarted(Problems& problems) {
    shut_off(connection->get(), domain->name());
    if (device_mapper_has(volume.mapping())) {
      const ProcessResult r = volcrypt({"release", "--domain", domain->name()});
      if (r.exit_code != 0) problems.push_back("release failed: " + outcome(r));
    }
    for (const auto& device : device_mapper_devices()) {
      problems.push_back("after shut-off and release, mapping " + describe(device) + " is open");
    }
  }

  // The start's promise: the domain runs on its mapping and its guest reads the plaintext.
  void check_started(Problems& problems, const std::string& which) {
    if (!domain_runs(connection->get(), domain->name())) {
      return problems.push_back(which + " domain does not run");
    }
    check_attached(problems, which, true);
  }

  // Kills `volcrypt start` of the shut-off domain at each of its kill points: recover
  // must leave the domain either running on its mapping, or shut off with the mapping the
  // start opened closed again (the state before it); then start (again) starts it and the
  // nested guest reads the plaintext.
  void sweep_start() {
    Problems failures;
    const std::vector<std::string> start = persistent_domain_with_the_volume(failures);
    host_restarted(failures);
    const test::TracedRun complete = test::reference_run(start, kOpeningSteps);
    expect_no_passphrase_in(complete.result);
    if (complete.result.exit_code != 0) failures.push_back(outcome(complete.result));
    check_started(failures, "the complete start's");
    if (!failures.empty()) {
      ADD_FAILURE() << "the start does not work unkilled: " << joined(failures);
      return;
    }
    const auto after_kill = [&](const test::TracedRun& traced, Problems& problems) {
      if (!traced.killed) return AfterKill{false, "-"};
      const std::string left = what_is_left();
      const bool repaired = recover_after_kill(problems);
      if (domain_runs(connection->get(), domain->name())) {
        check_started(problems, "the killed start's");
        return AfterKill{repaired, left};
      }
      for (const auto& device : device_mapper_devices()) {
        problems.push_back("the domain is shut off but mapping " + describe(device) +
                           " is still open");
      }
      const ProcessResult again =
          volcrypt(std::vector<std::string>(start.begin() + 1, start.end()));
      if (again.exit_code != 0) problems.push_back("the next start failed: " + outcome(again));
      check_started(problems, "the next start's");
      return AfterKill{repaired, left};
    };
    kill_each_point(
        "start", start, complete, [&](Problems& problems) { host_restarted(problems); }, after_kill,
        [&] {
          shut_off(connection->get(), domain->name());
          close_every_mapping();
        });
  }

  // The steps of an operation's complete run: the kill points the sweep's lines number.
  static void print_steps(const std::string& name, const test::TracedRun& complete) {
    for (size_t i = 0; i < complete.step_names.size(); ++i) {
      std::cout << "dm " << name << " step " << i + 1 << ": " << complete.step_names[i] << "\n";
    }
  }

  // What a kill point left (for its line) and whether recover had something to repair.
  struct AfterKill {
    bool repaired = false;
    std::string left;
  };

  // Kills `operation` at each kill point of its complete run that the selection covers:
  // set_scene before each, after_kill checks and repairs what the kill left, clean_up
  // after one that left a problem. A line per kill point, the summary, the verdict.
  void kill_each_point(
      const std::string& name, const std::vector<std::string>& operation,
      const test::TracedRun& complete, const std::function<void(Problems&)>& set_scene,
      const std::function<AfterKill(const test::TracedRun&, Problems&)>& after_kill,
      const std::function<void()>& clean_up) {
    print_steps(name, complete);
    const bool every_step = runner_setting("kill-points") == "every";
    const std::vector<int> points = kill_points_to_cover(complete.step_names, every_step);
    std::vector<std::string> steps_killed;
    Problems failures;
    int repaired = 0;
    for (int step : points) {
      Problems problems;
      set_scene(problems);
      const test::TracedRun traced = test::run_traced(operation, step);
      expect_no_passphrase_in(traced.result);
      if (traced.killed) {
        steps_killed.push_back(traced.step_names.back());
      } else {
        problems.push_back("the run was not killed");
      }
      const AfterKill after = after_kill(traced, problems);
      if (after.repaired) ++repaired;
      const std::string where = "dm " + name + " kill point " + std::to_string(step) + " before " +
                                (traced.killed ? traced.step_names.back() : "nothing");
      std::cout << where << ": left " << after.left << "; "
                << (problems.empty() ? "ok" : "PROBLEMS: " + joined(problems)) << std::endl;
      if (!problems.empty()) {
        failures.push_back(where + ", left " + after.left + ": " + joined(problems));
        clean_up();
      }
    }
    note("kill points covered: dm " + name + " " + test::kill_point_summary(steps_killed) + " of " +
         std::to_string(complete.step_names.size()) + " steps; " + std::to_string(repaired) +
         " left something to repair; " + std::to_string(failures.size()) + " left a problem");
    covered_counts().push_back("dm " + name + " " + std::to_string(points.size()) + " of " +
                               std::to_string(complete.step_names.size()) + " steps");
    EXPECT_GT(repaired, 0) << "no kill point left anything for recover to do";
    EXPECT_TRUE(failures.empty()) << failures.size() << " of " << points.size()
                                  << " kill points left a problem:\n  " << joined(failures, "\n  ");
  }

  std::unique_ptr<test::Connection> connection;
  std::unique_ptr<test::TestDomain> domain;
  Volume volume;
  std::string volume_id;
  std::string key_file;
};

// Each kill point of a live attach of a LUKS2 loop device through cryptsetup-luks, and of
// its detach, repaired by `recover` (see sweep()).
TEST_F(KillPointsDmCrypt, LiveAttachOfALuks2LoopDevice) { sweep("attach", false); }

TEST_F(KillPointsDmCrypt, DetachOfALiveAttachedLuks2Disk) { sweep("detach", true); }

// Each kill point of `volcrypt extend` of that disk after its loop device grew: between
// the mapping's resize (device-mapper requests) and the guest's (a libvirt RPC) too.
TEST_F(KillPointsDmCrypt, LiveExtendOfALuks2Mapping) { sweep_extend(); }

// Each kill point of `volcrypt start` of a persistent, shut-off domain whose LUKS2 disk's
// mapping (cryptsetup-luks) was closed as by a host restart: it reopens the mapping, then
// starts the domain.
TEST_F(KillPointsDmCrypt, StartOfAShutOffDomainWithAClosedLuks2Mapping) { sweep_start(); }

}  // namespace
}  // namespace volcrypt::guest
