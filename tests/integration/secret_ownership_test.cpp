// Secrets belong to the attachments that use them: a second attachment of a volume is
// refused before anything is created (unless every attachment is --shareable), a
// secret another attachment uses is never removed, and a record naming a secret
// volcrypt did not make is reported, never obeyed.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>
#include <sys/stat.h>

#include <filesystem>
#include <thread>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class SecretOwnership : public IntegrationTest {
 protected:
  std::vector<std::string> attach_args(const std::string& domain, const std::string& source,
                                       const std::string& volume_id) {
    return {"attach",      domain,    "--target",   "sdb",  "--source",          source,
            "--volume-id", volume_id, "--provider", "luks", "--passphrase-file", passphrase_file};
  }
  std::vector<std::string> attach(const std::string& domain, const std::string& source,
                                  const std::string& volume_id) {
    auto args = attach_args(domain, source, volume_id);
    args.insert(args.begin() + 1, "--domain");
    return args;
  }

  std::unique_ptr<TestDomain> persistent_domain(const std::string& prefix, bool start) {
    return std::make_unique<TestDomain>(
        connection->get(), unique(prefix),
        DomainOptions{.persistent = true, .start = start, .serial_log = {}});
  }

  // Stops and starts a persistent domain: QEMU then opens its disks again with the
  // secrets they name, which is where a deleted secret shows.
  void restart(TestDomain& domain) {
    virDomainPtr handle = virDomainLookupByName(connection->get(), domain.name().c_str());
    ASSERT_NE(handle, nullptr);
    if (virDomainIsActive(handle) == 1) virDomainDestroy(handle);
    virDomainFree(handle);
    domain.start();
  }
};

TEST_F(SecretOwnership, SecondAttachToAnotherDomainIsRefusedAndTheFirstStillStarts) {
  auto first = persistent_domain("owner", true);
  auto second = running_domain("intruder");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto args = attach(first->name(), volume, volume_id);
  args.push_back("--live");
  args.push_back("--config");
  ProcessResult a = volcrypt(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  ProcessResult b = volcrypt(attach(second->name(), volume, volume_id));
  EXPECT_EQ(b.exit_code, 7);
  EXPECT_EQ(b.err, "volcrypt: error: volume " + volume_id + " ('" + volume +
                       "') is already attached to domain '" + first->name() +
                       "' disk sdb (running), domain '" + first->name() +
                       "' disk sdb (persistent config); a volume attached to several domains "
                       "needs --shareable\n");
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_THAT(second->live_xml(), Not(HasSubstr("<target dev='sdb'")));

  restart(*first);
  EXPECT_THAT(first->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
}

TEST_F(SecretOwnership, ConfigAttachThenLiveAttachElsewhereIsRefused) {
  auto first = persistent_domain("cfgowner", false);
  auto second = running_domain("live");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto args = attach(first->name(), volume, volume_id);
  args.push_back("--config");
  ASSERT_EQ(volcrypt(args).exit_code, 0);

  ProcessResult b = volcrypt(attach(second->name(), volume, volume_id));
  EXPECT_EQ(b.exit_code, 7);
  EXPECT_THAT(b.err, HasSubstr("is already attached to domain '" + first->name() +
                               "' disk sdb (persistent config)"));
  // Detaching from the second domain finds nothing there and leaves the secret alone.
  EXPECT_EQ(volcrypt({"detach", "--domain", second->name(), "--target", "sdb"}).exit_code, 3);
  ASSERT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);

  first->start();
  EXPECT_THAT(first->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
}

TEST_F(SecretOwnership, TwoSimultaneousAttachesOfOneVolumeLeaveOneWorkingAttachment) {
  auto a = running_domain("racea");
  auto b = running_domain("raceb");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ProcessResult result_a, result_b;
  std::thread call_a([&] {
    result_a = run_process([&] {
      auto args = attach(a->name(), volume, volume_id);
      args.insert(args.begin(), VOLCRYPT_BINARY);
      return args;
    }());
  });
  std::thread call_b([&] {
    result_b = run_process([&] {
      auto args = attach(b->name(), volume, volume_id);
      args.insert(args.begin(), VOLCRYPT_BINARY);
      return args;
    }());
  });
  call_a.join();
  call_b.join();
  ASSERT_EQ((result_a.exit_code == 0) + (result_b.exit_code == 0), 1)
      << result_a.err << result_b.err;
  const ProcessResult& loser = result_a.exit_code == 0 ? result_b : result_a;
  EXPECT_EQ(loser.exit_code, 7) << loser.err;
  EXPECT_THAT(loser.err, HasSubstr("is already attached to domain"));
  TestDomain& winner = result_a.exit_code == 0 ? *a : *b;
  // The winner's disk names a secret that exists, and the guest reads the plaintext.
  auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  EXPECT_THAT(winner.live_xml(), HasSubstr("uuid='" + secrets[0] + "'"));
  EXPECT_THAT(winner.read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
}

TEST_F(SecretOwnership, ShareableVolumeIsReadByTwoDomainsAndItsSecretGoesWithTheLastUser) {
  auto a = running_domain("sharea");
  auto b = running_domain("shareb");
  auto c = running_domain("sharec");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  for (auto* domain : {a.get(), b.get()}) {
    auto args = attach(domain->name(), volume, volume_id);
    args.push_back("--shareable");
    ProcessResult r = volcrypt(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(domain->live_xml(), HasSubstr("<shareable/>"));
  }
  auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  EXPECT_THAT(a->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
  EXPECT_THAT(b->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));

  // A third attachment without --shareable is refused: the others are shared, it is not.
  ProcessResult unshared = volcrypt(attach(c->name(), volume, volume_id));
  EXPECT_EQ(unshared.exit_code, 7);
  EXPECT_THAT(unshared.err, HasSubstr("needs --shareable"));

  ProcessResult first = volcrypt({"detach", "--domain", a->name(), "--target", "sdb", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_THAT(first.out, HasSubstr("is still used by domain '" + b->name() + "' disk sdb"));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_THAT(b->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));

  ProcessResult last = volcrypt({"detach", "--domain", b->name(), "--target", "sdb"});
  ASSERT_EQ(last.exit_code, 0) << last.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

// libvirt lets a disk name a volume secret by its usage (the volume id) instead of its
// uuid; such a disk uses volcrypt's secret as much as one naming the uuid.
TEST_F(SecretOwnership, ADiskNamingTheSecretByItsUsageKeepsItAliveAndCheckSeesItsSecret) {
  auto a = running_domain("byuuid");
  auto b = running_domain("byusage");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ProcessResult attached = volcrypt(attach(a->name(), volume, volume_id));
  ASSERT_EQ(attached.exit_code, 0) << attached.err;
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  // Another tool's disk in b: a copy of the volume (the same passphrase), its secret named
  // by usage.
  const std::string copy = path("copy.luks");
  std::filesystem::copy_file(volume, copy);
  const std::string disk =
      "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
      "<source file='" +
      copy + "'><encryption format='luks'><secret type='passphrase' usage='" + volume_id +
      "'/></encryption></source><target dev='sdb' bus='scsi'/></disk>";
  virDomainPtr handle = virDomainLookupByName(connection->get(), b->name().c_str());
  ASSERT_NE(handle, nullptr);
  const int plugged = virDomainAttachDeviceFlags(handle, disk.c_str(), VIR_DOMAIN_AFFECT_LIVE);
  virDomainFree(handle);
  ASSERT_EQ(plugged, 0) << "libvirt refused the disk naming the secret by usage";
  ASSERT_THAT(b->live_xml(), HasSubstr("usage='" + volume_id + "'"));

  ProcessResult detached = volcrypt({"detach", "--domain", a->name(), "--target", "sdb", "--json"});
  ASSERT_EQ(detached.exit_code, 0) << detached.err;
  EXPECT_THAT(detached.out, HasSubstr("is still used by domain '" + b->name() + "' disk sdb"));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_THAT(b->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));

  // check neither calls the secret an orphan nor b's disk one whose secret is missing.
  ProcessResult check = volcrypt({"check", "--json"});
  EXPECT_THAT(check.out, Not(HasSubstr(secrets[0]))) << check.out;
  EXPECT_THAT(check.out, Not(HasSubstr("\"domain\":\"" + b->name() + "\""))) << check.out;
}

TEST_F(SecretOwnership, ShareableAttachWithAWrongPassphraseIsRefused) {
  auto a = running_domain("sharekey");
  auto b = running_domain("sharekey2");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  auto args = attach(a->name(), volume, volume_id);
  args.push_back("--shareable");
  ASSERT_EQ(volcrypt(args).exit_code, 0);
  const std::string wrong = path("wrong");
  test_volumes::write_file(wrong, passphrase + "-not");
  ::chmod(wrong.c_str(), 0600);
  auto second = attach(b->name(), volume, volume_id);
  second.back() = wrong;
  second.push_back("--shareable");
  ProcessResult r = volcrypt(second);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(r.err, "volcrypt: error: qemu-native-luks: the passphrase is wrong for volume " +
                       volume_id + " (no key slot opens)\n");
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
  EXPECT_THAT(a->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
}

TEST_F(SecretOwnership, RecordNamingAForeignSecretIsReportedNotObeyed) {
  auto domain = running_domain("forged");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  // Someone else's secret (another volume's, defined as Nova does, not by volcrypt).
  const std::string victim_id = unique("victim");
  volume_ids.push_back(victim_id);
  const std::string victim = define_secret(connection->get(), victim_id, "other");
  ASSERT_EQ(volcrypt(attach(domain->name(), volume, volume_id)).exit_code, 0);

  // Whoever can write metadata rewrites the record to name the victim's secret.
  auto record = volcrypt_metadata(connection->get(), domain->name(), false);
  ASSERT_TRUE(record.has_value());
  const auto own = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(own.size(), 1u);
  std::string forged = *record;
  forged.replace(forged.find(own[0]), own[0].size(), victim);
  virDomainPtr handle = virDomainLookupByName(connection->get(), domain->name().c_str());
  ASSERT_EQ(virDomainSetMetadata(handle, VIR_DOMAIN_METADATA_ELEMENT, forged.c_str(), "volcrypt",
                                 "urn:volcrypt:record:1", VIR_DOMAIN_AFFECT_LIVE),
            0);
  virDomainFree(handle);

  ProcessResult r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("kept: secret " + victim + " was not made by volcrypt"));
  EXPECT_EQ(secrets_for_volume(connection->get(), victim_id), std::vector<std::string>{victim});
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
  // volcrypt's own secret, no longer named by any record or disk, is an orphan that
  // check reports and recover removes.
  ProcessResult check = volcrypt({"check", "--json"});
  EXPECT_EQ(check.exit_code, 11);
  EXPECT_THAT(check.out, HasSubstr("\"kind\":\"orphan_secret\",\"domain\":\"\",\"target\":\"\","
                                   "\"volume_id\":\"" +
                                   volume_id + "\",\"secret_uuid\":\"" + own[0] + "\""));
  ProcessResult recover = volcrypt({"recover"});
  EXPECT_THAT(recover.out, HasSubstr("undefined secret"));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_EQ(secrets_for_volume(connection->get(), victim_id), std::vector<std::string>{victim});
}

// One file in a definition twice without <shareable/> (as a --config batch made before it
// kept the one-attachment rule): QEMU refuses to start the domain, and check says so.
TEST_F(SecretOwnership, CheckReportsAVolumeAttachedTwiceWithoutShareable) {
  auto domain = persistent_domain("twice", false);
  const std::string volume = make_luks1_with_pattern("twice.luks", 0xab);
  virDomainPtr handle = virDomainLookupByName(connection->get(), domain->name().c_str());
  ASSERT_NE(handle, nullptr);
  for (const char* target : {"sdb", "sdc"}) {
    const std::string disk =
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='" +
        volume + "'/><target dev='" + target + "' bus='scsi'/></disk>";
    ASSERT_EQ(virDomainAttachDeviceFlags(handle, disk.c_str(), VIR_DOMAIN_AFFECT_CONFIG), 0);
  }
  virDomainFree(handle);

  const ProcessResult check = volcrypt({"check", "--domain", domain->name(), "--json"});
  EXPECT_EQ(check.exit_code, 11) << check.out << check.err;
  EXPECT_THAT(check.out, HasSubstr("\"kind\":\"volume_attached_twice\",\"domain\":\"" +
                                   domain->name() + "\",\"target\":\"sdb\""));
  EXPECT_THAT(check.out,
              HasSubstr("volume '" + volume + "' is attached to domain '" + domain->name() +
                        "' disk sdb (persistent config), domain '" + domain->name() +
                        "' disk sdc (persistent config) without <shareable/> on each"));
}

}  // namespace
}  // namespace volcrypt::test
