// Hot attach and detach on virtio-scsi of a LUKS1 volume, as a file and as a host block
// device: the guest's disk reads the plaintext through QEMU's decryption, the secret and
// the record exist while attached and are gone after detach.
#include <gmock/gmock.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "domain/domain_lock.hpp"
#include "domain/libvirt_session.hpp"
#include "host_tools.hpp"
#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Whether a process waits to take the flock on `file`: /proc/locks lists each waiter as
// "N: -> FLOCK ... PID MAJ:MIN:INODE ...".
bool someone_waits_for_the_lock_on(const std::string& file) {
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) return false;
  const std::string inode = ":" + std::to_string(info.st_ino) + " ";
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    if (line.find(" -> FLOCK ") != std::string::npos && line.find(inode) != std::string::npos) {
      return true;
    }
  }
  return false;
}

class HotAttach : public IntegrationTest {
 protected:
  // Attaches `source`, checks everything a user would check, detaches, checks again.
  void attach_read_detach(const std::string& source, const char* disk_type) {
    auto domain = running_domain("hot");
    const std::string volume_id = unique("vol");
    volume_ids.push_back(volume_id);

    ProcessResult attach =
        volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--bus", "scsi",
                  "--source", source, "--volume-id", volume_id, "--provider", "luks",
                  "--passphrase-file", passphrase_file, "--live"});
    ASSERT_EQ(attach.exit_code, 0) << attach.err;
    EXPECT_THAT(attach.out, HasSubstr("plugin qemu-native-luks"));

    // One private libvirt secret, usage type volume, usage id = the volume id.
    auto secrets = secrets_for_volume(connection->get(), volume_id);
    ASSERT_EQ(secrets.size(), 1u);
    const std::string uuid = secrets[0];
    EXPECT_THAT(secret_xml(connection->get(), uuid), HasSubstr("private='yes'"));

    // The record names the plugin and its state; the disk carries <encryption>.
    auto record = volcrypt_metadata(connection->get(), domain->name(), false);
    ASSERT_TRUE(record.has_value());
    EXPECT_THAT(*record, HasSubstr("target=\"sdb\""));
    EXPECT_THAT(*record, HasSubstr("plugin=\"qemu-native-luks\""));
    EXPECT_THAT(*record, HasSubstr("value=\"" + uuid + "\""));
    const std::string live = domain->live_xml();
    EXPECT_THAT(live, HasSubstr("<disk type='" + std::string(disk_type) + "' device='disk'>"));
    EXPECT_THAT(live, HasSubstr("<encryption format='luks'"));
    EXPECT_THAT(live, HasSubstr("uuid='" + uuid + "'"));
    expect_no_secret_in(live, "the domain XML");

    // The guest's disk reads the plaintext; a wrong pattern is caught, so the check bites.
    EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20),
                HasSubstr("read 1048576/1048576 bytes at offset 0"));
    EXPECT_THAT(domain->read_pattern("sdb", 0xcd, 1 << 20),
                HasSubstr("Pattern verification failed"));

    ProcessResult list = volcrypt({"list", "--domain", domain->name(), "--json"});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    EXPECT_THAT(list.out, HasSubstr("\"plugin\":\"qemu-native-luks\""));
    EXPECT_THAT(list.out, HasSubstr("\"secret-uuid\":\"" + uuid + "\""));

    ProcessResult detach =
        volcrypt({"detach", "--domain", domain->name(), "--target", "sdb", "--json"});
    ASSERT_EQ(detach.exit_code, 0) << detach.err;
    EXPECT_THAT(detach.out, HasSubstr("\"plugin\":\"qemu-native-luks\",\"had_record\":true"));
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
  }
};

TEST_F(HotAttach, LuksFileOnVirtioScsi) {
  attach_read_detach(make_luks1_with_pattern("volume.luks", 0xab), "file");
}

TEST_F(HotAttach, LuksLoopDeviceOnVirtioScsi) {
  LoopDevice loop(make_luks1_with_pattern("backing.luks", 0xab));
  attach_read_detach(loop.path(), "block");
}

TEST_F(HotAttach, ConcurrentAttachesToOneDomainKeepEveryRecord) {
  // Compute agents attach several volumes at once; each call rewrites the domain's
  // record, so volcrypt serialises them per domain and none is lost.
  auto domain = running_domain("concurrent");
  std::vector<std::thread> calls;
  std::vector<ProcessResult> results(3);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(unique("c" + std::to_string(i)));
    volume_ids.push_back(ids.back());
  }
  std::vector<std::string> volumes;
  for (int i = 0; i < 3; ++i) {
    volumes.push_back(make_luks1_with_pattern("c" + std::to_string(i) + ".luks", 0xa0 + i));
  }
  for (int i = 0; i < 3; ++i) {
    calls.emplace_back([&, i] {
      results[i] =
          run_process({VOLCRYPT_BINARY, "attach", "--domain", domain->name(), "--target",
                       std::string("sd") + char('b' + i), "--source", volumes[i], "--volume-id",
                       ids[i], "--provider", "luks", "--passphrase-file", passphrase_file});
    });
  }
  for (auto& call : calls) call.join();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(results[i].exit_code, 0) << results[i].err;
  ProcessResult list = volcrypt({"list", "--domain", domain->name()});
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(list.out, HasSubstr(std::string("sd") + char('b' + i) + ": volume " + ids[i]));
    EXPECT_THAT(domain->read_pattern(std::string("sd") + char('b' + i), 0xa0 + i, 1 << 20),
                HasSubstr("read 1048576/1048576"));
  }
}

TEST_F(HotAttach, AttachWaitsWhileAnotherVolcryptHoldsTheDomain) {
  auto domain = running_domain("locked");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("locked");
  volume_ids.push_back(volume_id);
  const std::string uuid = LibvirtSession("qemu:///system").domain_uuid(domain->name());
  auto lock = std::make_unique<DomainLock>(uuid);
  ProcessResult result;
  std::atomic<bool> returned = false;
  std::thread call([&] {
    result = run_process({VOLCRYPT_BINARY, "attach", "--domain", domain->name(), "--target", "sdb",
                          "--source", volume, "--volume-id", volume_id, "--provider", "luks",
                          "--passphrase-file", passphrase_file},
                         {}, {}, kHangDeadline);
    returned = true;
  });
  // Until the attach waits for the domain's lock (or returned without waiting: a failure).
  const std::string lock_file = lock_directory() + "/domain-" + uuid + ".lock";
  const auto give_up = std::chrono::steady_clock::now() + kHangDeadline;
  bool waits = false;
  while (!returned && !(waits = someone_waits_for_the_lock_on(lock_file)) &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(waits) << "the attach did not wait for the domain's lock";
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
  lock.reset();
  call.join();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
}

}  // namespace
}  // namespace volcrypt::test
