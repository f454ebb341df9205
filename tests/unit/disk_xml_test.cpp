#include "domain/disk_xml.hpp"

#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>
#include <thread>
#include <vector>
#include <volcrypt/error.hpp>

#include "domain/domain_iothreads.hpp"

namespace volcrypt {
namespace {

std::string in_domain(const std::string& disks) {
  return "<domain type='qemu'><name>d</name><devices>"
         "<controller type='scsi' model='virtio-scsi'/>" +
         disks + "</devices></domain>";
}

TEST(DiskXml, FileDiskWithNativeEncryption) {
  DiskSpec spec;
  spec.source_kind = VOLCRYPT_SOURCE_FILE;
  spec.source_path = "/var/lib/volumes/v1.img";
  spec.target = "sdb";
  spec.bus = Bus::scsi;
  spec.encryption = NativeEncryption{"luks", "0a1b2c3d-0000-4000-8000-000000000001"};
  spec.serial = "v1";
  EXPECT_EQ(build_disk_xml(spec),
            "<disk type=\"file\" device=\"disk\"><driver name=\"qemu\" type=\"raw\"/>"
            "<source file=\"/var/lib/volumes/v1.img\"><encryption format=\"luks\">"
            "<secret type=\"passphrase\" uuid=\"0a1b2c3d-0000-4000-8000-000000000001\"/>"
            "</encryption></source><target dev=\"sdb\" bus=\"scsi\"/><serial>v1</serial></disk>");
}

TEST(DiskXml, IothreadGoesOnTheDriverAndReadsBack) {
  DiskSpec spec;
  spec.source_kind = VOLCRYPT_SOURCE_BLOCK;
  spec.source_path = "/dev/mapper/crypt-v3";
  spec.target = "vdb";
  spec.bus = Bus::virtio;
  spec.iothread = 2;
  const std::string xml = build_disk_xml(spec);
  EXPECT_EQ(xml,
            "<disk type=\"block\" device=\"disk\"><driver name=\"qemu\" type=\"raw\" "
            "iothread=\"2\"/><source dev=\"/dev/mapper/crypt-v3\"/><target dev=\"vdb\" "
            "bus=\"virtio\"/></disk>");
  EXPECT_EQ(parse_disk_element(xml)->iothread, 2u);
  spec.iothread = 0;
  EXPECT_EQ(parse_disk_element(build_disk_xml(spec))->iothread, 0u);
}

TEST(DomainIothreads, CountedOrListed) {
  EXPECT_TRUE(domain_iothread_ids("<domain><name>d</name></domain>").empty());
  EXPECT_EQ(domain_iothread_ids("<domain><iothreads>3</iothreads></domain>"),
            (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(domain_iothread_ids("<domain><iothreads>2</iothreads><iothreadids>"
                                "<iothread id='1'/><iothread id='5'/></iothreadids></domain>"),
            (std::vector<uint32_t>{1, 5}));
}

TEST(DiskXml, BlockDiskWithoutEncryptionOrSerial) {
  DiskSpec spec;
  spec.source_kind = VOLCRYPT_SOURCE_BLOCK;
  spec.source_path = "/dev/mapper/crypt-v2";
  spec.target = "vdc";
  spec.bus = Bus::virtio;
  EXPECT_EQ(build_disk_xml(spec),
            "<disk type=\"block\" device=\"disk\"><driver name=\"qemu\" type=\"raw\"/>"
            "<source dev=\"/dev/mapper/crypt-v2\"/><target dev=\"vdc\" bus=\"virtio\"/></disk>");
}

TEST(DiskXml, BusNames) {
  EXPECT_STREQ(bus_name(Bus::scsi), "scsi");
  EXPECT_STREQ(bus_name(Bus::virtio), "virtio");
  EXPECT_STREQ(bus_name(Bus::sata), "sata");
}

TEST(DiskXml, BuiltDiskReadsBackFromADomain) {
  DiskSpec spec;
  spec.source_path = "/srv/odd \"name\" <&> 'x'.img";
  spec.target = "sdb";
  spec.encryption = NativeEncryption{"luks", "uuid-1"};
  spec.serial = "serial & <co>";
  const std::string disk = build_disk_xml(spec);

  auto found = find_disk(in_domain(disk), "sdb");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->target, "sdb");
  EXPECT_EQ(found->source_path, spec.source_path);
  ASSERT_TRUE(found->encryption.has_value());
  EXPECT_EQ(found->encryption->format, "luks");
  EXPECT_EQ(found->encryption->secret_uuid, "uuid-1");
  // Re-serialized alone, the element is the one that was built.
  EXPECT_EQ(found->xml, disk);
}

TEST(DiskXml, ReadsLegacyEncryptionDirectlyUnderDisk) {
  const std::string domain = in_domain(
      "<disk type='block' device='disk'><driver name='qemu' type='raw'/>"
      "<source dev='/dev/loop3'/><target dev='sdc' bus='scsi'/>"
      "<encryption format='luks'><secret type='passphrase' uuid='legacy-uuid'/></encryption>"
      "</disk>");
  auto found = find_disk(domain, "sdc");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->source_path, "/dev/loop3");
  ASSERT_TRUE(found->encryption.has_value());
  EXPECT_EQ(found->encryption->format, "luks");
  EXPECT_EQ(found->encryption->secret_uuid, "legacy-uuid");
}

TEST(DiskXml, ReadsASecretNamedByItsUsage) {
  const std::string domain = in_domain(
      "<disk type='file' device='disk'><source file='/v'><encryption format='luks'>"
      "<secret type='passphrase' usage='vol&amp;1'/></encryption></source>"
      "<target dev='sdd' bus='scsi'/></disk>");
  auto found = find_disk(domain, "sdd");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->encryption.has_value());
  EXPECT_EQ(found->encryption->secret_uuid, "");
  EXPECT_EQ(found->encryption->secret_usage, "vol&1");
}

TEST(DiskXml, ListsEveryDiskAndFindsByTarget) {
  const std::string domain = in_domain(
      "<disk type='file' device='disk'><source file='/a.img'/><target dev='sda' bus='scsi'/>"
      "<alias name='scsi0-0-0-0'/></disk>"
      "<disk type='file' device='disk'><source file='/b.img'/><target dev='sdb' bus='scsi'/>"
      "</disk>");
  auto disks = disks_in_domain_xml(domain);
  ASSERT_EQ(disks.size(), 2u);
  EXPECT_EQ(disks[0].target, "sda");
  EXPECT_EQ(disks[0].source_path, "/a.img");
  EXPECT_FALSE(disks[0].encryption.has_value());
  EXPECT_EQ(disks[1].source_path, "/b.img");
  // Only the disk looked for carries its own XML, whole, as detach hands it to libvirt.
  EXPECT_TRUE(disks[0].xml.empty());
  auto found = find_disk(domain, "sda");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->xml,
            "<disk type=\"file\" device=\"disk\"><source file=\"/a.img\"/>"
            "<target dev=\"sda\" bus=\"scsi\"/><alias name=\"scsi0-0-0-0\"/></disk>");
  EXPECT_EQ(find_disk(domain, "sdb")->source_path, "/b.img");
  EXPECT_FALSE(find_disk(domain, "sdz").has_value());
}

TEST(DiskXml, ADisksOwnXmlIsTheSameWhenAskedFromManyThreads) {
  std::string disks;
  for (int index = 0; index < 40; ++index) {
    disks += "<disk type='file' device='disk'><source file='/v/" + std::to_string(index) +
             "&amp;x'/><target dev='vd" + std::string(1, static_cast<char>('a' + index % 26)) +
             std::to_string(index) + "' bus='virtio'/><serial>s&lt;" + std::to_string(index) +
             "</serial></disk>";
  }
  const std::string domain = in_domain(disks);
  const std::string expected = find_disk(domain, "vda0")->xml;
  ASSERT_NE(expected.find("s&lt;0"), std::string::npos) << expected;
  std::vector<std::thread> threads;
  std::vector<std::string> seen(8);
  for (size_t thread = 0; thread < seen.size(); ++thread) {
    threads.emplace_back([&, thread] {
      for (int index = 39; index >= 0; --index) {
        const std::string target =
            "vd" + std::string(1, static_cast<char>('a' + index % 26)) + std::to_string(index);
        auto found = find_disk(domain, target);
        if (index == 0 && found) seen[thread] = found->xml;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& xml : seen) EXPECT_EQ(xml, expected);
}

TEST(DiskXml, DomainWithoutDevicesHasNoDisks) {
  EXPECT_TRUE(disks_in_domain_xml("<domain><name>d</name></domain>").empty());
}

TEST(DiskXml, UnparsableDomainXmlIsAnInternalError) {
  try {
    disks_in_domain_xml("<domain><devices>");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::internal);
    EXPECT_NE(std::string(e.what()).find("cannot parse the domain XML from libvirt"),
              std::string::npos)
        << e.what();
  }
}

TEST(DiskXml, NonDomainRootIsAnInternalError) {
  try {
    disks_in_domain_xml("<network/>");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::internal);
    EXPECT_STREQ(e.what(), "cannot parse the domain XML from libvirt: no <domain> root");
  }
}

}  // namespace
}  // namespace volcrypt
