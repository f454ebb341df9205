// The passphrase never leaks while volcrypt works: the real program is traced (as the
// kill-point tests trace it, support/kill_points.hpp) through an attach, a batch, a
// detach and a start, and at each exec and each step the /proc/PID/cmdline and environ
// of it and of every helper it starts are read, as anyone on the host could read them;
// afterwards the intent folder, volcrypt's caches, libvirtd's log and the domains' QEMU
// logs are searched. Each form is looked for: the passphrase as given, and for a raw key
// the hex passphrase volcrypt hands on, in either case (support/key_leaks.hpp).
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "batch_fixture.hpp"
#include "key_leaks.hpp"
#include "kill_points.hpp"

namespace volcrypt::test {
namespace {

using ::testing::IsEmpty;

class KeyLeaks : public BatchTest {
 protected:
  // Runs the program traced to its end; it must succeed and leave no trace of either key
  // in its output, in what its processes showed, and no helper running.
  TracedRun traced(const std::string& what, const std::vector<std::string>& args) {
    std::vector<std::string> argv = args;
    argv.insert(argv.begin(), VOLCRYPT_BINARY);
    const TracedRun run = run_traced(argv);
    EXPECT_EQ(run.result.exit_code, 0) << what << ": " << run.result.out << run.result.err;
    for (const std::string& key : {passphrase, raw_key}) {
      EXPECT_THAT(views_holding(run, key), IsEmpty()) << what << " showed a key";
      for (const auto& form : passphrase_forms(key)) {
        EXPECT_EQ(run.result.out.find(form), std::string::npos) << what << ": standard output";
        EXPECT_EQ(run.result.err.find(form), std::string::npos) << what << ": standard error";
      }
    }
    EXPECT_THAT(run.helpers_left_running, IsEmpty()) << what;
    std::cout << what << ": " << run.processes << " processes, " << run.process_views.size()
              << " distinct command lines and environments read, "
              << kill_point_summary(run.step_names) << " steps\n";
    for (const auto& step : run.step_names) {
      if (step.starts_with("helper ")) std::cout << what << ": " << step << "\n";
    }
    samples += static_cast<int>(run.process_views.size());
    return run;
  }

  void expect_no_key_in_files(const std::vector<std::string>& domains) {
    const auto files = host_files_to_search(domains);
    for (const std::string& key : {passphrase, raw_key}) {
      EXPECT_THAT(files_holding(files, key), IsEmpty()) << "a file holds a key";
    }
  }

  // A LUKS1 volume whose passphrase is the hex of a raw key (Nova's and os-brick's
  // convention), first MiB of plaintext 0x5a, the raw key in key_file.
  std::string raw_key_volume(const std::string& volume_id) {
    volume_ids.push_back(volume_id);
    const std::string volume = path(volume_id + ".luks");
    const std::string hex = passphrase_forms(raw_key)[1];
    test_volumes::make_luks_volume(volume, test_volumes::LuksVersion::luks1, hex, 8 << 20);
    return volume;
  }

  void SetUp() override {
    BatchTest::SetUp();
    // Bytes that are not text: the hex form is what libvirt gets.
    raw_key = std::string("\x01\xfe\x7f\x80", 4) + passphrase.substr(5);
    raw_key_file = path("raw-key");
    test_volumes::write_file(raw_key_file, raw_key);
    chmod(raw_key_file.c_str(), 0600);
  }

  std::string raw_key;
  std::string raw_key_file;
  int samples = 0;
};

TEST_F(KeyLeaks, NoKeyInProcessesIntentsCachesOrLogsThroughAttachBatchDetachAndStart) {
  auto domain = running_domain("leak");
  const std::string first_id = unique("leak-a");
  const std::string first = volume_with_key(first_id, 0xab);
  const std::string raw_id = unique("leak-raw");
  const std::string raw = raw_key_volume(raw_id);

  const TracedRun attach =
      traced("attach", {"attach", "--domain", domain->name(), "--target", "sdb", "--bus", "scsi",
                        "--source", first, "--volume-id", first_id, "--provider", "luks",
                        "--passphrase-file", passphrase_file});
  // The probe helpers ran, and were looked at.
  EXPECT_GE(attach.processes, 2) << "no helper was followed";
  traced("attach of a raw key",
         {"attach", "--domain", domain->name(), "--target", "sdc", "--bus", "scsi", "--source", raw,
          "--volume-id", raw_id, "--provider", "luks", "--key-file", raw_key_file});
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20),
              ::testing::HasSubstr("read 1048576/1048576 bytes at offset 0"));
  traced("detach", {"detach", "--domain", domain->name(), "--target", "sdb"});
  traced("detach of a raw key's disk", {"detach", "--domain", domain->name(), "--target", "sdc"});

  // A batch of two volumes on the running domain, then their detach batch.
  const std::string b0 = unique("leak-b0"), b1 = unique("leak-b1");
  nlohmann::json batch =
      nlohmann::json::array({attach_request(domain->name(), "sdd", volume_with_key(b0, 0x11), b0),
                             attach_request(domain->name(), "sde", volume_with_key(b1, 0x22), b1)});
  traced("attach batch", attach_batch_args(batch, true));
  nlohmann::json detach = nlohmann::json::array({{{"domain", domain->name()}, {"target", "sdd"}},
                                                 {{"domain", domain->name()}, {"target", "sde"}}});
  traced("detach batch", {"detach", "--batch", batch_file(detach)});

  // A persistent, shut-off domain whose secret was dropped, started by volcrypt.
  TestDomain shut_off(connection->get(), unique("leak-start"),
                      DomainOptions{.persistent = true, .start = false, .serial_log = ""});
  const std::string start_id = unique("leak-s");
  const ProcessResult r =
      volcrypt({"attach", "--domain", shut_off.name(), "--target", "sdb", "--bus", "scsi",
                "--source", volume_with_key(start_id, 0x33), "--volume-id", start_id, "--provider",
                "luks", "--passphrase-file", passphrase_file, "--config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& uuid : secrets_for_volume(connection->get(), start_id)) {
    undefine_secret_if_present(connection->get(), uuid);
  }
  traced("start", {"start", "--domain", shut_off.name(), "--passphrase-dir", key_dir});
  EXPECT_THAT(shut_off.read_pattern("sdb", 0x33, 1 << 20),
              ::testing::HasSubstr("read 1048576/1048576 bytes at offset 0"));

  expect_no_key_in_files({domain->name(), shut_off.name()});
  std::cout << samples << " process views searched\n";
  RecordProperty("process_views", samples);
}

}  // namespace
}  // namespace volcrypt::test
