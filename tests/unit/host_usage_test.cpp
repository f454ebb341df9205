#include "operations/host_usage.hpp"

#include <gmock/gmock.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace volcrypt {
namespace {

using ::testing::ElementsAre;

std::string encrypted_disk(const std::string& source, const std::string& target,
                           const std::string& secret, bool shareable = false) {
  return "<disk type='file' device='disk'><source file='" + source +
         "'><encryption format='luks'><secret type='passphrase' uuid='" + secret +
         "'/></encryption></source><target dev='" + target + "' bus='scsi'/>" +
         (shareable ? "<shareable/>" : "") + "</disk>";
}

std::string record(const std::string& target, const std::string& volume, const std::string& source,
                   const std::string& secret) {
  return "<metadata><volcrypt:attachments xmlns:volcrypt='urn:volcrypt:record:1'>"
         "<volcrypt:disk target='" +
         target + "' volume-id='" + volume + "' source='" + source +
         "' provider='luks' plugin='qemu-native-luks' plugin-version='1.0.0'>"
         "<volcrypt:state key='secret-uuid' value='" +
         secret + "'/></volcrypt:disk></volcrypt:attachments></metadata>";
}

std::string domain_xml(const std::string& metadata, const std::string& disks) {
  return "<domain type='qemu'><name>x</name>" + metadata + "<devices>" + disks +
         "</devices></domain>";
}

DomainSnapshot snapshot(const std::string& name, const std::string& live,
                        const std::string& inactive) {
  return {name, "uuid-" + name, !live.empty(), !inactive.empty(), live, inactive};
}

TEST(HostUsage, FindsTheUsersOfASecretOnEitherDefinitionOfEveryDomain) {
  HostUsage usage(
      {snapshot("a",
                domain_xml(record("sdb", "v1", "/v1", "S1"), encrypted_disk("/v1", "sdb", "S1")),
                domain_xml("", encrypted_disk("/v1", "sdb", "S1"))),
       snapshot("b", "", domain_xml(record("sdc", "v2", "/v2", "S2"), ""))});
  EXPECT_THAT(usage.secret_users("S1"), ElementsAre("domain 'a' disk sdb (running)",
                                                    "domain 'a' disk sdb (persistent config)",
                                                    "the record of domain 'a' disk sdb (running)"));
  // A record alone (its disk gone) still holds its secret.
  EXPECT_THAT(usage.secret_users("S2"),
              ElementsAre("the record of domain 'b' disk sdc (persistent config)"));
  EXPECT_TRUE(usage.secret_users("S3").empty());
}

TEST(HostUsage, WhatIsBeingDetachedDoesNotCountAsAUser) {
  HostUsage usage({snapshot(
      "a", domain_xml(record("sdb", "v1", "/v1", "S1"), encrypted_disk("/v1", "sdb", "S1")),
      domain_xml("", encrypted_disk("/v1", "sdb", "S1")))});
  // Only the running side is detached: the persistent definition still uses the secret.
  EXPECT_THAT(usage.secret_users("S1", UseExclusion{"uuid-a", "sdb", true, false}),
              ElementsAre("domain 'a' disk sdb (persistent config)"));
  EXPECT_TRUE(usage.secret_users("S1", UseExclusion{"uuid-a", "sdb", true, true}).empty());
  // Another domain's exclusion leaves them all.
  EXPECT_EQ(usage.secret_users("S1", UseExclusion{"uuid-b", "sdb", true, true}).size(), 3u);
}

TEST(HostUsage, FindsTheDisksOfAVolumeByPathOrByItsRecord) {
  HostUsage usage(
      {snapshot("a", domain_xml("", encrypted_disk("/srv/../srv/v1", "sdb", "S1", true)), ""),
       // A dm-crypt disk shows the mapping; its record names the volume.
       snapshot("b",
                domain_xml(record("sdc", "v1", "/srv/v1", "-"),
                           "<disk type='block' device='disk'><source dev='/dev/mapper/crypt-v1'/>"
                           "<target dev='sdc' bus='scsi'/></disk>"),
                ""),
       snapshot("c", domain_xml("", encrypted_disk("/srv/other", "sdb", "S9")), "")});
  auto disks = usage.volume_disks("v1", "/srv/v1");
  ASSERT_EQ(disks.size(), 2u);
  EXPECT_EQ(disks[0].domain, "a");
  EXPECT_TRUE(disks[0].disk.shareable);
  EXPECT_EQ(disks[1].domain, "b");
  EXPECT_FALSE(disks[1].disk.shareable);
  EXPECT_TRUE(usage.volume_disks("v3", "/srv/v3").empty());
}

TEST(HostUsage, ALinkOrAnotherSpellingOfTheVolumesFileIsTheSameVolume) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("volcrypt-usage-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "sub");
  std::ofstream(dir / "volume") << "x";
  std::ofstream(dir / "another") << "x";
  std::filesystem::create_symlink(dir / "volume", dir / "link");
  const std::string volume = (dir / "volume").string();
  HostUsage usage(
      {snapshot("a", domain_xml("", encrypted_disk((dir / "link").string(), "sdb", "S1")), ""),
       snapshot("b", domain_xml("", encrypted_disk((dir / "sub/../volume").string(), "sdc", "S2")),
                ""),
       snapshot("c", domain_xml("", encrypted_disk((dir / "another").string(), "sdd", "S3")), ""),
       // A path that names nothing yet matches only its own spelling.
       snapshot("d", domain_xml("", encrypted_disk((dir / "gone/./v").string(), "sde", "S4")),
                "")});
  const auto disks = usage.volume_disks("v1", volume);
  std::filesystem::remove_all(dir);
  ASSERT_EQ(disks.size(), 2u);
  EXPECT_EQ(disks[0].domain, "a");
  EXPECT_EQ(disks[1].domain, "b");
  EXPECT_EQ(usage.volume_disks("v9", (dir / "gone/v").string()).size(), 1u);
}

TEST(HostUsage, TheSecretsUsersComeOnlyFromDomainsThatNameItAndEveryDomainIsStillChecked) {
  HostUsage usage({snapshot("a", domain_xml("", encrypted_disk("/v1", "sdb", "S1")), ""),
                   // Not XML at all, and no mention of S1: never a user of it.
                   snapshot("broken", "<domain><devices><disk", ""),
                   snapshot("b", domain_xml(record("sdc", "v2", "/v2", "S1"), ""), "")});
  EXPECT_THAT(usage.secret_users("S1"), ElementsAre("domain 'a' disk sdb (running)",
                                                    "the record of domain 'b' disk sdc (running)"));
  EXPECT_TRUE(usage.secret_users("S2").empty());
  // What `check` asks reads every domain, the broken one included.
  ASSERT_EQ(usage.unreadable_records().size(), 2u);
  EXPECT_THAT(usage.unreadable_records()[0], ::testing::StartsWith("domain 'broken': "));
}

std::string disk_naming_usage(const std::string& usage_in_xml, const std::string& target) {
  return "<disk type='file' device='disk'><source file='/copy'><encryption format='luks'>"
         "<secret type='passphrase' usage='" +
         usage_in_xml + "'/></encryption></source><target dev='" + target + "' bus='scsi'/></disk>";
}

TEST(HostUsage, ADiskThatNamesAVolumeSecretByItsUsageUsesIt) {
  HostUsage usage({snapshot("a", "", domain_xml("", disk_naming_usage("vol-1", "sdb"))),
                   snapshot("b", domain_xml("", disk_naming_usage("vol-2", "sdc")), ""),
                   // An id with a character XML escapes is still found.
                   snapshot("c", domain_xml("", disk_naming_usage("v&amp;3", "sdd")), "")});
  EXPECT_THAT(usage.secret_users("S1", {}, "vol-1"),
              ElementsAre("domain 'a' disk sdb (persistent config)"));
  EXPECT_THAT(usage.secret_users("S3", {}, "v&3"), ElementsAre("domain 'c' disk sdd (running)"));
  // Without the usage (a secret that is not a volume's), only uuids count.
  EXPECT_TRUE(usage.secret_users("S1").empty());
  // What is being detached does not count, however it names the secret.
  EXPECT_TRUE(
      usage.secret_users("S1", UseExclusion{"uuid-a", "sdb", false, true}, "vol-1").empty());
}

TEST(HostUsage, AMalformedRecordIsReportedAndTheDisksStillCount) {
  HostUsage usage(
      {snapshot("a",
                domain_xml("<metadata><x:attachments xmlns:x='urn:volcrypt:record:1'><x:disk/>"
                           "</x:attachments></metadata>",
                           encrypted_disk("/v1", "sdb", "S1")),
                "")});
  EXPECT_EQ(usage.unreadable_records().size(), 1u);
  EXPECT_THAT(usage.secret_users("S1"), ElementsAre("domain 'a' disk sdb (running)"));
}

}  // namespace
}  // namespace volcrypt
