#include "domain/disk_xml.hpp"

#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <volcrypt/error.hpp>

#include "domain/domain_iothreads.hpp"
#include "expect_error.hpp"

namespace volcrypt {
namespace {

using test_support::error_of;

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

// Network disks: Ceph RBD, iSCSI through QEMU's initiator, NBD.

NetworkSource network_source(NetworkProtocol protocol, std::string name,
                             std::vector<NetworkHost> hosts, std::string user = "",
                             std::string auth_secret_uuid = "") {
  NetworkSource source;
  source.protocol = protocol;
  source.name = std::move(name);
  source.hosts = std::move(hosts);
  source.auth_username = std::move(user);
  source.auth_secret_uuid = std::move(auth_secret_uuid);
  return source;
}

NetworkSource rbd_source() {
  NetworkSource source =
      network_source(NetworkProtocol::rbd, "volumes/volume-7",
                     {{"10.0.0.1", 6789}, {"fd00::2", 0}, {"mon3.example.org", 3300}}, "cinder",
                     "11111111-2222-4333-8444-555555555555");
  source.discard = true;
  return source;
}

NetworkSource iscsi_source() {
  return network_source(NetworkProtocol::iscsi, "iqn.2010-10.org.openstack:volume-8/1",
                        {{"127.0.0.1", 3260}}, "chap-user", "41111111-2222-4333-8444-555555555555");
}

NetworkSource nbd_source() {
  return network_source(NetworkProtocol::nbd, "vol1", {{"127.0.0.1", 10809}});
}

DiskSpec network_disk(const NetworkSource& source) {
  DiskSpec spec;
  spec.source_kind = VOLCRYPT_SOURCE_NETWORK;
  spec.network = source;
  spec.source_path = network_source_name(source);
  spec.target = "sdb";
  return spec;
}

TEST(NetworkDiskXml, RbdDiskWithMonitorsAuthAndLibrbdEncryption) {
  DiskSpec spec = network_disk(rbd_source());
  spec.encryption = NativeEncryption{"luks2", "21111111-2222-4333-8444-555555555555"};
  spec.encryption->engine = "librbd";
  spec.serial = "volume-7";
  spec.iothread = 1;
  EXPECT_EQ(build_disk_xml(spec),
            "<disk type=\"network\" device=\"disk\"><driver name=\"qemu\" type=\"raw\" "
            "discard=\"unmap\" iothread=\"1\"/><source protocol=\"rbd\" name=\"volumes/volume-7\">"
            "<host name=\"10.0.0.1\" port=\"6789\"/><host name=\"fd00::2\"/>"
            "<host name=\"mon3.example.org\" port=\"3300\"/><auth username=\"cinder\">"
            "<secret type=\"ceph\" uuid=\"11111111-2222-4333-8444-555555555555\"/></auth>"
            "<encryption format=\"luks2\" engine=\"librbd\"><secret type=\"passphrase\" "
            "uuid=\"21111111-2222-4333-8444-555555555555\"/></encryption></source>"
            "<target dev=\"sdb\" bus=\"scsi\"/><serial>volume-7</serial></disk>");
}

TEST(NetworkDiskXml, IscsiDiskWithChapAndQemusLuks) {
  DiskSpec spec = network_disk(iscsi_source());
  spec.encryption = NativeEncryption{"luks", "51111111-2222-4333-8444-555555555555"};
  spec.shareable = true;
  EXPECT_EQ(build_disk_xml(spec),
            "<disk type=\"network\" device=\"disk\"><driver name=\"qemu\" type=\"raw\"/>"
            "<source protocol=\"iscsi\" name=\"iqn.2010-10.org.openstack:volume-8/1\">"
            "<host name=\"127.0.0.1\" port=\"3260\"/><auth username=\"chap-user\">"
            "<secret type=\"iscsi\" uuid=\"41111111-2222-4333-8444-555555555555\"/></auth>"
            "<encryption format=\"luks\"><secret type=\"passphrase\" "
            "uuid=\"51111111-2222-4333-8444-555555555555\"/></encryption></source>"
            "<target dev=\"sdb\" bus=\"scsi\"/><shareable/></disk>");
}

TEST(NetworkDiskXml, NbdDiskWithoutAuth) {
  EXPECT_EQ(build_disk_xml(network_disk(nbd_source())),
            "<disk type=\"network\" device=\"disk\"><driver name=\"qemu\" type=\"raw\"/>"
            "<source protocol=\"nbd\" name=\"vol1\"><host name=\"127.0.0.1\" port=\"10809\"/>"
            "</source><target dev=\"sdb\" bus=\"scsi\"/></disk>");
}

TEST(NetworkDiskXml, AnRbdClusterOtherThanCephIsReachedThroughItsConfigFile) {
  NetworkSource source = rbd_source();
  source.hosts.clear();
  source.cluster_name = "backup";
  const std::string xml = build_disk_xml(network_disk(source));
  EXPECT_NE(xml.find("<source protocol=\"rbd\" name=\"volumes/volume-7\"><config "
                     "file=\"/etc/ceph/backup.conf\"/><auth "),
            std::string::npos)
      << xml;
  EXPECT_EQ(parse_disk_element(xml)->network, source);
}

TEST(NetworkDiskXml, AuthenticationTheProtocolCannotCarryIsRefused) {
  NetworkSource nbd = nbd_source();
  nbd.auth_username = "someone";
  nbd.auth_secret_uuid = "41111111-2222-4333-8444-555555555555";
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { build_disk_xml(network_disk(nbd)); }),
            "NBD has no authentication: " + network_source_name(nbd) +
                " takes no user name or auth secret");

  NetworkSource rbd = rbd_source();
  rbd.auth_secret_uuid.clear();
  EXPECT_EQ(error_of(ErrorKind::usage, [&] { build_disk_xml(network_disk(rbd)); }),
            "the network volume " + network_source_name(rbd) +
                " needs both a user name and its auth secret's uuid, or neither");
}

TEST(NetworkDiskXml, ANetworkKindWithoutItsSourceIsAnInternalError) {
  DiskSpec spec = network_disk(nbd_source());
  spec.network.reset();
  EXPECT_EQ(error_of(ErrorKind::internal, [&] { build_disk_xml(spec); }),
            "the disk for " + network_source_name(nbd_source()) +
                " is a network disk without its network source");
  spec = network_disk(nbd_source());
  spec.source_kind = VOLCRYPT_SOURCE_FILE;
  EXPECT_EQ(error_of(ErrorKind::internal, [&] { build_disk_xml(spec); }),
            "the disk for " + network_source_name(nbd_source()) +
                " names a network source but is not one");
}

// What attach builds, read back from the domain, is the volume it was built for.
TEST(NetworkDiskXml, EveryProtocolReadsBackAsTheSameVolume) {
  for (const NetworkSource& source : {rbd_source(), iscsi_source(), nbd_source()}) {
    SCOPED_TRACE(network_source_name(source));
    DiskSpec spec = network_disk(source);
    spec.encryption = NativeEncryption{"luks", "21111111-2222-4333-8444-555555555555"};
    spec.encryption->engine = source.protocol == NetworkProtocol::rbd ? "librbd" : "";
    spec.serial = "vol";
    const std::string xml = build_disk_xml(spec);
    auto found = find_disk(in_domain(xml), "sdb");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->source_kind, VOLCRYPT_SOURCE_NETWORK);
    EXPECT_EQ(found->source_path, network_source_name(source));
    ASSERT_TRUE(found->network.has_value());
    EXPECT_TRUE(same_network_volume(*found->network, source));
    EXPECT_EQ(*found->network, source);
    EXPECT_EQ(found->network_snapshot, "");
    ASSERT_TRUE(found->encryption.has_value());
    EXPECT_EQ(found->encryption->format, "luks");
    EXPECT_EQ(found->encryption->engine, spec.encryption->engine);
    EXPECT_EQ(found->encryption->secret_uuid, "21111111-2222-4333-8444-555555555555");
    EXPECT_EQ(found->xml, xml);
    EXPECT_EQ(found->serial, "vol");
  }
}

// What libvirt 9.0 gives back for built disks: `virsh dumpxml` after `virsh define`
// (rbd: <auth> and <encryption> stay inside <source>, an unwritten engine comes back as
// engine='qemu'), and the live XML of the NBD disk hot-plugged to a running domain with
// qemu-nbd serving it (tls='no' and index added; detach took this element back).
TEST(NetworkDiskXml, ReadsLibvirtsDumpsOfBuiltDisks) {
  NetworkSource rbd =
      network_source(NetworkProtocol::rbd, "volumes/volume-1", {{"127.0.0.1", 6789}, {"::1", 0}},
                     "volcrypt", "11111111-2222-4333-8444-555555555555");
  rbd.discard = true;
  struct Dump {
    std::string xml;
    NetworkSource network;
    std::string secret_uuid;
    std::string serial;
  };
  const std::vector<Dump> dumps = {
      {R"(
    <disk type='network' device='disk'>
      <driver name='qemu' type='raw' discard='unmap'/>
      <source protocol='rbd' name='volumes/volume-1' index='2'>
        <host name='127.0.0.1' port='6789'/>
        <host name='::1'/>
        <auth username='volcrypt'>
          <secret type='ceph' uuid='11111111-2222-4333-8444-555555555555'/>
        </auth>
        <encryption format='luks' engine='qemu'>
          <secret type='passphrase' uuid='21111111-2222-4333-8444-555555555555'/>
        </encryption>
      </source>
      <target dev='sdb' bus='scsi'/>
      <serial>v1</serial>
      <address type='drive' controller='0' bus='0' target='0' unit='1'/>
    </disk>)",
       rbd, "21111111-2222-4333-8444-555555555555", "v1"},
      {R"(
    <disk type='network' device='disk'>
      <driver name='qemu' type='raw'/>
      <source protocol='nbd' name='vol1' tls='no' index='1'>
        <host name='127.0.0.1' port='20650'/>
        <encryption format='luks' engine='qemu'>
          <secret type='passphrase' uuid='539c688e-075a-4351-bf76-d8bf48a065ca'/>
        </encryption>
      </source>
      <target dev='sdb' bus='scsi'/>
      <serial>nbd-vol</serial>
      <alias name='scsi0-0-0-1'/>
      <address type='drive' controller='0' bus='0' target='0' unit='1'/>
    </disk>)",
       network_source(NetworkProtocol::nbd, "vol1", {{"127.0.0.1", 20650}}),
       "539c688e-075a-4351-bf76-d8bf48a065ca", "nbd-vol"},
  };
  for (const auto& dump : dumps) {
    SCOPED_TRACE(dump.xml);
    auto found = find_disk(in_domain(dump.xml), "sdb");
    ASSERT_TRUE(found.has_value());
    ASSERT_TRUE(found->network.has_value());
    EXPECT_EQ(*found->network, dump.network);
    EXPECT_EQ(found->auth_secret_type, dump.network.auth_username.empty() ? "" : "ceph");
    ASSERT_TRUE(found->encryption.has_value());
    EXPECT_EQ(found->encryption->engine, "qemu");
    EXPECT_EQ(found->encryption->secret_uuid, dump.secret_uuid);
    EXPECT_EQ(found->serial, dump.serial);
  }
}

// Nova's LibvirtConfigGuestDisk writes <auth> and <encryption> beside <source>, not in
// it, with every monitor and its port; libvirt 9.0 keeps them there and dumps <auth>
// first. Both texts, from a Nova-style attach of an encrypted Cinder rbd volume.
TEST(NetworkDiskXml, ReadsNovasRbdDiskAsNovaWritesItAndAsLibvirtDumpsIt) {
  const std::string as_nova_writes =
      "<disk type=\"network\" device=\"disk\"><driver name=\"qemu\" type=\"raw\" "
      "cache=\"writeback\" discard=\"unmap\"/><source protocol=\"rbd\" "
      "name=\"volumes/volume-4f2a6f6e-87a4-4c61-b6b6-1a8e1f7c9d10\"><host name=\"192.168.24.10\" "
      "port=\"6789\"/><host name=\"192.168.24.11\" port=\"6789\"/><host name=\"192.168.24.12\" "
      "port=\"6789\"/></source><auth username=\"openstack\"><secret type=\"ceph\" "
      "uuid=\"457eb676-33da-42ec-9a8c-9293d545c337\"/></auth><target bus=\"virtio\" "
      "dev=\"vdb\"/><serial>4f2a6f6e-87a4-4c61-b6b6-1a8e1f7c9d10</serial><encryption "
      "format=\"luks\"><secret type=\"passphrase\" uuid=\"9c8d2e1f-5a4b-4c3d-8e2f-1a0b9c8d7e6f\"/>"
      "</encryption></disk>";
  const std::string as_libvirt_dumps = in_domain(R"(
    <disk type='network' device='disk'>
      <driver name='qemu' type='raw' cache='writeback' discard='unmap'/>
      <auth username='openstack'>
        <secret type='ceph' uuid='457eb676-33da-42ec-9a8c-9293d545c337'/>
      </auth>
      <source protocol='rbd' name='volumes/volume-4f2a6f6e-87a4-4c61-b6b6-1a8e1f7c9d10' index='1'>
        <host name='192.168.24.10' port='6789'/>
        <host name='192.168.24.11' port='6789'/>
        <host name='192.168.24.12' port='6789'/>
      </source>
      <target dev='vdb' bus='virtio'/>
      <serial>4f2a6f6e-87a4-4c61-b6b6-1a8e1f7c9d10</serial>
      <encryption format='luks' engine='qemu'>
        <secret type='passphrase' uuid='9c8d2e1f-5a4b-4c3d-8e2f-1a0b9c8d7e6f'/>
      </encryption>
      <alias name='virtio-disk1'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </disk>)");
  NetworkSource expected;
  expected.name = "volumes/volume-4f2a6f6e-87a4-4c61-b6b6-1a8e1f7c9d10";
  expected.hosts = {{"192.168.24.10", 6789}, {"192.168.24.11", 6789}, {"192.168.24.12", 6789}};
  expected.auth_username = "openstack";
  expected.auth_secret_uuid = "457eb676-33da-42ec-9a8c-9293d545c337";
  expected.discard = true;
  for (const auto& found :
       {parse_disk_element(as_nova_writes), find_disk(as_libvirt_dumps, "vdb")}) {
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->source_kind, VOLCRYPT_SOURCE_NETWORK);
    ASSERT_TRUE(found->network.has_value());
    EXPECT_EQ(*found->network, expected);
    EXPECT_EQ(found->source_path, network_source_name(expected));
    ASSERT_TRUE(found->encryption.has_value());
    EXPECT_EQ(found->encryption->format, "luks");
    EXPECT_EQ(found->encryption->secret_uuid, "9c8d2e1f-5a4b-4c3d-8e2f-1a0b9c8d7e6f");
    EXPECT_EQ(found->serial, "4f2a6f6e-87a4-4c61-b6b6-1a8e1f7c9d10");
  }
}

TEST(NetworkDiskXml, ReadsAnAuthSecretNamedByItsUsage) {
  auto found = parse_disk_element(
      "<disk type='network' device='disk'><source protocol='iscsi' name='iqn.2004-04.com.x:t1'>"
      "<host name='portal.example.org'/><auth username='u'><secret type='iscsi' "
      "usage='libvirtiscsi'/></auth></source><target dev='sdc' bus='scsi'/></disk>");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->network.has_value());
  EXPECT_EQ(found->network->protocol, NetworkProtocol::iscsi);
  EXPECT_EQ(found->network->name, "iqn.2004-04.com.x:t1/0");  // no LUN: LUN 0
  EXPECT_EQ(found->network->hosts, (std::vector<NetworkHost>{{"portal.example.org", 0}}));
  EXPECT_EQ(found->network->auth_username, "u");
  EXPECT_EQ(found->network->auth_secret_uuid, "");
  EXPECT_EQ(found->auth_secret_type, "iscsi");
  EXPECT_EQ(found->auth_secret_usage, "libvirtiscsi");
  EXPECT_FALSE(found->encryption.has_value());
}

TEST(NetworkDiskXml, AnRbdSnapshotIsReadAndMarkedAndNeverTheImageItself) {
  const NetworkSource image = [] {
    NetworkSource source;
    source.name = "volumes/volume-9";
    return source;
  }();
  for (const std::string& source_element :
       {std::string("<source protocol='rbd' name='volumes/volume-9@snap1'/>"),
        std::string("<source protocol='rbd' name='volumes/volume-9'><snapshot name='snap1'/>"
                    "</source>")}) {
    SCOPED_TRACE(source_element);
    auto found = parse_disk_element("<disk type='network' device='disk'>" + source_element +
                                    "<target dev='sdf' bus='scsi'/><readonly/></disk>");
    ASSERT_TRUE(found.has_value());
    ASSERT_TRUE(found->network.has_value());
    EXPECT_EQ(found->network_snapshot, "snap1");
    EXPECT_EQ(found->network->name, "volumes/volume-9@snap1");
    EXPECT_EQ(found->source_path, network_source_name(*found->network));
    EXPECT_FALSE(same_network_volume(*found->network, image));
  }
}

// A network disk volcrypt does not serve is listed, named as libvirt has it, with no
// network source: it is never taken for one of volcrypt's volumes, and never a crash.
TEST(NetworkDiskXml, OtherProtocolsAndFormsAreNamedNotServed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"<source protocol='gluster' name='gv0/img'><host name='10.0.0.1' port='24007'/></source>",
       "gluster://10.0.0.1:24007/gv0/img"},
      {"<source protocol='https' name='path/img.raw' query='a=b'><host name='example.org' "
       "port='443'/></source>",
       "https://example.org:443/path/img.raw"},
      {"<source protocol='nbd' name='exp'><host transport='unix' socket='/run/nbd.sock'/>"
       "</source>",
       "nbd+unix:///exp?socket=/run/nbd.sock"},
      {"<source protocol='nbd' name='exp'><host name='fd00::1' port='99999'/></source>",
       "nbd://[fd00::1]:99999/exp"},
      {"<source protocol='rbd' name='p/i'><host name='m1' port='6789x'/></source>",
       "rbd://m1:6789x/p/i"},
      {"<source protocol='iscsi' name='iqn.x:y/1'><host port='3260'/></source>",
       "iscsi://:3260/iqn.x:y/1"},
      {"<source protocol='sheepdog'/>", "sheepdog:"},
  };
  std::string disks;
  for (size_t index = 0; index < cases.size(); ++index) {
    disks += "<disk type='network' device='disk'>" + cases[index].first + "<target dev='sd" +
             std::string(1, static_cast<char>('b' + index)) + "' bus='scsi'/></disk>";
  }
  const auto found = disks_in_domain_xml(in_domain(disks));
  ASSERT_EQ(found.size(), cases.size());
  for (size_t index = 0; index < cases.size(); ++index) {
    SCOPED_TRACE(cases[index].first);
    EXPECT_EQ(found[index].source_kind, VOLCRYPT_SOURCE_NETWORK);
    EXPECT_FALSE(found[index].network.has_value());
    EXPECT_EQ(found[index].source_path, cases[index].second);
  }
}

// Text goes into attributes through tinyxml2's escaping and comes back decoded, as for
// file paths: nothing in a name, host or user can add an element or an attribute.
TEST(NetworkDiskXml, HostileTextStaysInItsAttribute) {
  NetworkSource source;
  source.protocol = NetworkProtocol::rbd;
  source.name = "p/i'/><source file='/etc/shadow'/><x a=\"&amp;";
  source.hosts = {{"h\"/><host name='evil", 1}};
  source.auth_username = "u'><secret type='ceph' uuid='0'/></auth><auth username='x";
  source.auth_secret_uuid = "<&>";
  const std::string xml = build_disk_xml(network_disk(source));
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS);
  const auto* built_source = doc.RootElement()->FirstChildElement("source");
  EXPECT_EQ(built_source->NextSiblingElement("source"), nullptr);
  EXPECT_EQ(built_source->FirstChildElement("host")->NextSiblingElement("host"), nullptr);
  EXPECT_EQ(built_source->FirstChildElement("auth")->NextSiblingElement("auth"), nullptr);
  auto found = find_disk(in_domain(xml), "sdb");
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->network.has_value());
  EXPECT_EQ(*found->network, source);
}

TEST(NetworkDiskXml, HostileReadBackNeverThrows) {
  const std::string domain = in_domain(
      "<disk type='network'><source protocol=''/></disk>"
      "<disk type='network'><source protocol='rbd'><host/><host name=''/></source></disk>"
      "<disk type='network'><source protocol='rbd' name='@'><snapshot/><auth><secret/></auth>"
      "</source><auth/></disk>"
      "<disk type='network'><source protocol='iscsi' name='&#x2F;'><host name='h' port='-1'/>"
      "</source></disk>"
      "<disk type='network'><source protocol='nbd' name='x'><host name='h' port='65536'/>"
      "</source></disk>");
  const auto disks = disks_in_domain_xml(domain);
  ASSERT_EQ(disks.size(), 5u);
  EXPECT_EQ(disks[0].source_path, ":");
  EXPECT_FALSE(disks[1].network.has_value());
  EXPECT_EQ(disks[3].source_path, "iscsi://h:-1//");
  EXPECT_EQ(disks[4].source_path, "nbd://h:65536/x");
  for (const auto& disk : disks) EXPECT_EQ(disk.source_kind, VOLCRYPT_SOURCE_NETWORK);
}
}  // namespace
}  // namespace volcrypt
