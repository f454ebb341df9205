#include "domain/domain_definition.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "domain/disk_xml.hpp"
#include "domain/record.hpp"

namespace volcrypt {
namespace {

Record record_at(const std::string& target) {
  Record r;
  r.target = target;
  r.volume_id = "vol-" + target;
  r.source_path = "/var/lib/volumes/" + target + ".img";
  r.provider = "luks";
  r.plugin_id = "qemu-native-luks";
  r.plugin_version = "1.0.0";
  r.state = {{"secret-uuid", "0a1b2c3d-0000-4000-8000-00000000000" + target.substr(2)}};
  return r;
}

std::string disk_at(const std::string& target) {
  DiskSpec disk;
  disk.source_path = "/var/lib/volumes/" + target + ".img";
  disk.target = target;
  return build_disk_xml(disk);
}

// As libvirt prints a definition: a record already there under the prefix it was written
// with, another application's metadata beside it, a VNC password that must stay.
const std::string kDefinition =
    "<domain type='kvm'>\n  <name>vm1</name>\n  <metadata>\n"
    "    <app:info xmlns:app=\"urn:other:1\">kept</app:info>\n"
    "    <volcrypt:attachments xmlns:volcrypt=\"urn:volcrypt:record:1\">"
    "<volcrypt:disk target=\"sdb\" volume-id=\"vol-sdb\" source=\"/var/lib/volumes/sdb.img\" "
    "provider=\"luks\" plugin=\"qemu-native-luks\" plugin-version=\"1.0.0\"/>"
    "</volcrypt:attachments>\n  </metadata>\n  <devices>\n"
    "    <disk type='file' device='disk'><source file='/var/lib/volumes/sdb.img'/>"
    "<target dev='sdb' bus='scsi'/></disk>\n"
    "    <graphics type='vnc' passwd='s3cret'/>\n  </devices>\n</domain>\n";

TEST(DomainDefinition, AddsEveryDiskAndReplacesTheRecordsKeepingEverythingElse) {
  const std::vector<Record> records = {record_at("sdb"), record_at("sdc"), record_at("sdd")};
  const std::string changed =
      definition_with_disks(kDefinition, {disk_at("sdc"), disk_at("sdd")}, records);

  const auto disks = disks_in_domain_xml(changed);
  ASSERT_EQ(disks.size(), 3u) << changed;
  EXPECT_EQ(disks[0].target, "sdb");
  EXPECT_EQ(disks[1].target, "sdc");
  EXPECT_EQ(disks[2].target, "sdd");
  const auto read_back = records_from_domain_xml(changed);
  ASSERT_EQ(read_back.size(), 3u) << changed;
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(read_back[i].target, records[i].target);
    EXPECT_EQ(read_back[i].state, records[i].state);
  }
  EXPECT_NE(changed.find("<volcrypt:attachments xmlns:volcrypt=\"urn:volcrypt:record:1\">"),
            std::string::npos)
      << changed;
  EXPECT_EQ(changed.find("xmlns:volcrypt", changed.find("xmlns:volcrypt") + 1), std::string::npos)
      << "one record element, not two: " << changed;
  EXPECT_NE(changed.find("<app:info xmlns:app=\"urn:other:1\">kept</app:info>"), std::string::npos);
  EXPECT_NE(changed.find("passwd=\"s3cret\""), std::string::npos);
}

TEST(DomainDefinition, MakesTheDevicesAndMetadataADefinitionLacks) {
  const std::string changed = definition_with_disks("<domain type='kvm'><name>vm2</name></domain>",
                                                    {disk_at("sdb")}, {record_at("sdb")});
  ASSERT_EQ(disks_in_domain_xml(changed).size(), 1u) << changed;
  ASSERT_EQ(records_from_domain_xml(changed).size(), 1u) << changed;
}

TEST(DomainDefinition, NoRecordsLeaveNoRecordElement) {
  const std::string changed = definition_with_disks(kDefinition, {}, {});
  EXPECT_TRUE(records_from_domain_xml(changed).empty());
  EXPECT_EQ(changed.find("urn:volcrypt:record:1"), std::string::npos) << changed;
}

TEST(DomainDefinition, RefusesWhatIsNotADomain) {
  try {
    definition_with_disks("<network/>", {disk_at("sdb")}, {});
    FAIL() << "a <network> was taken for a domain";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::internal);
    EXPECT_STREQ(e.what(), "cannot change the domain definition: the root element is not <domain>");
  }
  EXPECT_THROW(definition_with_disks(kDefinition, {"<disk"}, {}), Error);
}

}  // namespace
}  // namespace volcrypt
