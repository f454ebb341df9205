// `attach --iothread N` and the config's `iothread = N`: the disk's <driver iothread='N'>
// in the definitions changed, the plaintext read through QEMU, and the refusals (a bus
// other than virtio, an iothread the domain lacks) with exact text and nothing changed.
#include <gmock/gmock.h>

#include <filesystem>

#include "bash_completion.hpp"
#include "host_tools.hpp"
#include "integration_test.hpp"
#include "migration_fixture.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class Iothread : public IntegrationTest {
 protected:
  // A domain with iothreads 1 and 2, persistent so --config has a definition to change.
  std::unique_ptr<TestDomain> domain_with_iothreads(const std::string& prefix, bool start = true,
                                                    int iothreads = 2) {
    return std::make_unique<TestDomain>(
        connection->get(), unique(prefix),
        DomainOptions{
            .persistent = true, .start = start, .serial_log = {}, .iothreads = iothreads});
  }

  std::vector<std::string> attach_args(const TestDomain& domain, const std::string& bus,
                                       const std::string& volume_id) {
    const std::string volume = make_luks1_with_pattern(volume_id + ".luks", 0xab);
    volume_ids.push_back(volume_id);
    return {"attach",
            "--domain",
            domain.name(),
            "--target",
            bus == "virtio" ? "vdb" : "sdb",
            "--bus",
            bus,
            "--source",
            volume,
            "--volume-id",
            volume_id,
            "--provider",
            "luks",
            "--passphrase-file",
            passphrase_file};
  }

  // A refused attach changed nothing: no secret, record, intent or disk.
  void expect_untouched(const TestDomain& domain, const std::string& volume_id,
                        const std::string& target = "vdb") {
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    for (bool inactive : {false, true}) {
      EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), inactive).has_value());
      EXPECT_THAT(inactive ? domain.inactive_xml() : domain.live_xml(),
                  Not(HasSubstr("<target dev='" + target + "'")));
    }
    EXPECT_TRUE(intents_of(domain_uuid(connection->get(), domain.name())).empty());
  }

  std::string config_file(const std::string& text) {
    const std::string file = path("volcrypt.conf");
    test_volumes::write_file(file, text);
    return file;
  }
};

std::vector<std::string> with(std::vector<std::string> args,
                              std::initializer_list<std::string> more) {
  args.insert(args.end(), more);
  return args;
}

TEST_F(Iothread, LiveAndConfigDiskRunsOnTheIothreadAndReadsThePlaintext) {
  auto domain = domain_with_iothreads("io");
  const std::string volume_id = unique("vol");
  ProcessResult r = volcrypt(
      with(attach_args(*domain, "virtio", volume_id), {"--iothread", "2", "--live", "--config"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(" as vdb (live) (persistent config) on iothread 2\n"));
  EXPECT_THAT(domain->live_xml(), HasSubstr("<driver name='qemu' type='raw' iothread='2'/>"));
  EXPECT_THAT(domain->inactive_xml(), HasSubstr("<driver name='qemu' type='raw' iothread='2'/>"));
  // QEMU decrypts on the iothread: the plaintext reads, a wrong pattern is caught.
  EXPECT_THAT(domain->read_pattern("vdb", 0xab, 1 << 20), HasSubstr(kReadOk));
  EXPECT_THAT(domain->read_pattern("vdb", 0xcd, 1 << 20), HasSubstr("Pattern verification failed"));

  // A PCI unplug of the running disk waits for a guest OS this domain does not have;
  // the persistent definition's disk detaches at once.
  ProcessResult detach =
      volcrypt({"detach", "--domain", domain->name(), "--target", "vdb", "--config"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(domain->inactive_xml(), Not(HasSubstr("<target dev='vdb'")));
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), true).has_value());
}

TEST_F(Iothread, ConfigAttachOnAShutOffDomainDetachesCleanly) {
  auto domain = domain_with_iothreads("iocfg", /*start=*/false);
  const std::string volume_id = unique("vol");
  ProcessResult r =
      volcrypt(with(attach_args(*domain, "virtio", volume_id), {"--iothread", "1", "--json"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"iothread\":1"));
  EXPECT_THAT(domain->inactive_xml(), HasSubstr("<driver name='qemu' type='raw' iothread='1'/>"));

  ProcessResult detach = volcrypt({"detach", "--domain", domain->name(), "--target", "vdb"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  EXPECT_THAT(domain->inactive_xml(), Not(HasSubstr("<target dev='vdb'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

TEST_F(Iothread, ABusOtherThanVirtioIsRefusedAndNothingChanges) {
  auto domain = domain_with_iothreads("ioscsi");
  const std::string volume_id = unique("vol");
  ProcessResult r = volcrypt(with(attach_args(*domain, "scsi", volume_id), {"--iothread", "2"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: iothread 2 needs bus virtio, not scsi\n");
  expect_untouched(*domain, volume_id, "sdb");
}

TEST_F(Iothread, AnIothreadTheDomainLacksIsRefusedAndNothingChanges) {
  auto domain = domain_with_iothreads("iomiss", true, /*iothreads=*/1);
  const std::string volume_id = unique("vol");
  ProcessResult r = volcrypt(with(attach_args(*domain, "virtio", volume_id), {"--iothread", "3"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "volcrypt: error: domain '" + domain->name() + "' has no iothread 3 (it has 1)\n");
  expect_untouched(*domain, volume_id);

  auto bare = domain_with_iothreads("ionone", true, /*iothreads=*/0);
  const std::string other_id = unique("vol");
  r = volcrypt(with(attach_args(*bare, "virtio", other_id), {"--iothread", "1"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "volcrypt: error: domain '" + bare->name() + "' has no iothread 1 (it has none)\n");
  expect_untouched(*bare, other_id);
}

TEST_F(Iothread, ANonNumberIsRefusedBeforeLibvirt) {
  ProcessResult r =
      volcrypt({"attach", "--domain", "no-such-domain", "--target", "vdb", "--bus", "virtio",
                "--iothread", "0", "--source", "/nonexistent", "--volume-id", "v", "--provider",
                "luks", "--passphrase-file", passphrase_file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "volcrypt: error: --iothread '0' is not an iothread id (a whole number from 1)\n");
}

TEST_F(Iothread, TheConfigDefaultAppliesWhereItCanAndNowhereElse) {
  const std::string config = config_file("iothread = 2\n");
  auto domain = domain_with_iothreads("iodef");
  const std::string volume_id = unique("vol");
  auto args = with(attach_args(*domain, "virtio", volume_id), {"--live"});
  args.insert(args.begin(), {"--config", config});
  ProcessResult r = volcrypt(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain->live_xml(), HasSubstr("<driver name='qemu' type='raw' iothread='2'/>"));
  EXPECT_THAT(domain->read_pattern("vdb", 0xab, 1 << 20), HasSubstr(kReadOk));

  // A scsi disk, and a virtio disk of a domain with only iothread 1, attach as before.
  const std::string scsi_id = unique("vol");
  args = with(attach_args(*domain, "scsi", scsi_id), {"--live"});
  args.insert(args.begin(), {"-v", "--config", config});
  r = volcrypt(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("iothread")));
  EXPECT_THAT(r.err, HasSubstr("disk 'sdb' stays off the default iothread 2: bus scsi (only "
                               "virtio disks run on iothreads)"));
  EXPECT_THAT(domain->live_xml(), HasSubstr("<driver name='qemu' type='raw'/>"));

  auto small = domain_with_iothreads("iodef1", true, /*iothreads=*/1);
  const std::string small_id = unique("vol");
  args = with(attach_args(*small, "virtio", small_id), {"--live"});
  args.insert(args.begin(), {"-v", "--config", config});
  r = volcrypt(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("disk 'vdb' stays off the default iothread 2: domain '" +
                               small->name() + "' has no iothread 2 (it has 1)"));
  EXPECT_THAT(small->live_xml(), HasSubstr("<driver name='qemu' type='raw'/>"));
  EXPECT_THAT(small->live_xml(), Not(HasSubstr("iothread='")));
  EXPECT_THAT(small->read_pattern("vdb", 0xab, 1 << 20), HasSubstr(kReadOk));
}

TEST_F(Iothread, BatchRequestsCarryTheirIothread) {
  auto domain = domain_with_iothreads("iobatch", /*start=*/false);
  const std::string volume_id = unique("vol");
  const std::string volume = make_luks1_with_pattern("b.luks", 0xab);
  volume_ids.push_back(volume_id);
  const std::string key_dir = path("keys");
  std::filesystem::create_directory(key_dir);
  test_volumes::write_file(key_dir + "/" + volume_id, passphrase);
  std::filesystem::permissions(key_dir + "/" + volume_id, std::filesystem::perms::owner_read);
  const std::string request = "{\"domain\":\"" + domain->name() +
                              "\",\"target\":\"vdb\",\"bus\":\"virtio\",\"iothread\":2,"
                              "\"source\":\"" +
                              volume + "\",\"volume_id\":\"" + volume_id +
                              "\",\"provider\":\"luks\"}";
  ProcessResult r =
      volcrypt({"attach", "--batch", "-", "--passphrase-dir", key_dir}, "[" + request + "]");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(domain->inactive_xml(), HasSubstr("<driver name='qemu' type='raw' iothread='2'/>"));

  // The whole batch is checked first: a scsi request with an iothread stops it all.
  const std::string bad = "{\"domain\":\"" + domain->name() +
                          "\",\"target\":\"sdc\",\"bus\":\"scsi\",\"iothread\":1,"
                          "\"source\":\"" +
                          volume + "\",\"volume_id\":\"" + volume_id + "\",\"provider\":\"luks\"}";
  r = volcrypt({"attach", "--batch", "-", "--passphrase-dir", key_dir}, "[" + bad + "]");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: batch request 0: iothread 1 needs bus virtio, not scsi\n");
}

// Tab after --iothread offers the iothread ids of the domain --domain names (as libvirt
// lists them), and nothing before a domain is named.
TEST_F(Iothread, CompletionOffersTheNamedDomainsIothreads) {
  auto domain = domain_with_iothreads("iocomp", /*start=*/false, /*iothreads=*/3);
  EXPECT_EQ(bash_completions({"attach", "--domain", domain->name(), "--iothread", ""}),
            (std::set<std::string>{"1", "2", "3"}));
  EXPECT_EQ(bash_completions({"attach", "--domain", domain->name(), "--iothread", "2"}),
            (std::set<std::string>{"2"}));
  EXPECT_TRUE(bash_completions({"attach", "--iothread", ""}).empty());
}

}  // namespace
}  // namespace volcrypt::test
