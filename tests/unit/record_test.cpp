#include "domain/record.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <volcrypt/error.hpp>

namespace volcrypt {
namespace {

Record native_record() {
  Record r;
  r.target = "sdb";
  r.volume_id = "vol-1";
  r.source_path = "/var/lib/volumes/vol-1.img";
  r.provider = "luks";
  r.plugin_id = "qemu-native-luks";
  r.plugin_version = "1.0.0";
  r.state = {{"secret-uuid", "0a1b2c3d-0000-4000-8000-000000000001"}};
  return r;
}

void expect_same(const Record& a, const Record& b) {
  EXPECT_EQ(a.target, b.target);
  EXPECT_EQ(a.volume_id, b.volume_id);
  EXPECT_EQ(a.source_path, b.source_path);
  EXPECT_EQ(a.provider, b.provider);
  EXPECT_EQ(a.plugin_id, b.plugin_id);
  EXPECT_EQ(a.plugin_version, b.plugin_version);
  EXPECT_EQ(a.state, b.state);
}

std::string malformed(const std::string& xml) {
  try {
    records_from_xml(xml);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::internal);
    return e.what();
  }
  ADD_FAILURE() << "no error for " << xml;
  return {};
}

TEST(Record, ToXmlHasTheDocumentedShape) {
  EXPECT_EQ(records_to_xml({native_record()}),
            "<attachments><disk target=\"sdb\" volume-id=\"vol-1\" "
            "source=\"/var/lib/volumes/vol-1.img\" provider=\"luks\" plugin=\"qemu-native-luks\" "
            "plugin-version=\"1.0.0\"><state key=\"secret-uuid\" "
            "value=\"0a1b2c3d-0000-4000-8000-000000000001\"/></disk></attachments>");
}

TEST(Record, RoundTripsSeveralRecordsWithOddCharacters) {
  Record dm;
  dm.target = "sdc";
  dm.volume_id = "vol \"2\" <&> 'q'";
  dm.source_path = "/dev/loop0";
  dm.provider = "plain";
  dm.plugin_id = "plain-dmcrypt";
  dm.plugin_version = "0.9.1";
  dm.state = {{"mapping", "volcrypt-<&>"}, {"cipher", "aes-xts-plain64"}};
  auto back = records_from_xml(records_to_xml({native_record(), dm}));
  ASSERT_EQ(back.size(), 2u);
  expect_same(back[0], native_record());
  expect_same(back[1], dm);
}

TEST(Record, EmptyListRoundTrips) {
  EXPECT_TRUE(records_from_xml(records_to_xml({})).empty());
  EXPECT_TRUE(records_from_xml("").empty());
}

// What virDomainGetMetadata returns: libvirt re-formats the element, with no prefix.
TEST(Record, ReadsWhatLibvirtReturns) {
  const std::string from_libvirt =
      "<attachments>\n"
      "  <disk target=\"sdb\" volume-id=\"vol-1\" source=\"/var/lib/volumes/vol-1.img\" "
      "provider=\"luks\" plugin=\"qemu-native-luks\" plugin-version=\"1.0.0\">\n"
      "    <state key=\"secret-uuid\" value=\"0a1b2c3d-0000-4000-8000-000000000001\"/>\n"
      "  </disk>\n"
      "</attachments>\n";
  auto back = records_from_xml(from_libvirt);
  ASSERT_EQ(back.size(), 1u);
  expect_same(back[0], native_record());
}

// What `virsh dumpxml` shows inside <metadata>.
TEST(Record, ToleratesTheNamespacePrefix) {
  const std::string prefixed =
      "<volcrypt:attachments xmlns:volcrypt=\"urn:volcrypt:record:1\">"
      "<volcrypt:disk target=\"sdb\" volume-id=\"vol-1\" source=\"/var/lib/volumes/vol-1.img\" "
      "provider=\"luks\" plugin=\"qemu-native-luks\" plugin-version=\"1.0.0\">"
      "<volcrypt:state key=\"secret-uuid\" value=\"0a1b2c3d-0000-4000-8000-000000000001\"/>"
      "</volcrypt:disk></volcrypt:attachments>";
  auto back = records_from_xml(prefixed);
  ASSERT_EQ(back.size(), 1u);
  expect_same(back[0], native_record());
}

TEST(Record, MalformedXmlIsNamed) {
  EXPECT_TRUE(
      malformed("<attachments><disk")
          .starts_with(
              "the volcrypt record in the domain's metadata is malformed: not well-formed XML ("));
}

TEST(Record, WrongRootIsNamed) {
  EXPECT_EQ(malformed("<records/>"),
            "the volcrypt record in the domain's metadata is malformed: the root element is "
            "<records>, not <attachments>");
}

TEST(Record, DiskWithoutTargetIsNamed) {
  EXPECT_EQ(malformed("<attachments><disk plugin='qemu-native-luks'/></attachments>"),
            "the volcrypt record in the domain's metadata is malformed: a <disk> has no "
            "'target' attribute");
}

TEST(Record, DiskWithoutPluginIsNamed) {
  EXPECT_EQ(malformed("<attachments><disk target='sdb'/></attachments>"),
            "the volcrypt record in the domain's metadata is malformed: the <disk> for target "
            "'sdb' has no 'plugin' attribute");
}

TEST(Record, StateWithoutKeyIsNamed) {
  EXPECT_EQ(malformed("<attachments><disk target='sdb' plugin='p'><state value='x'/></disk>"
                      "</attachments>"),
            "the volcrypt record in the domain's metadata is malformed: a <state> of the <disk> "
            "for target 'sdb' has no 'key' attribute");
}

TEST(Record, DuplicateStateKeyIsNamed) {
  EXPECT_EQ(malformed("<attachments><disk target='sdb' plugin='p'><state key='k' value='1'/>"
                      "<state key='k' value='2'/></disk></attachments>"),
            "the volcrypt record in the domain's metadata is malformed: the <disk> for target "
            "'sdb' has the state key 'k' twice");
}

TEST(Record, DuplicateTargetIsNamed) {
  EXPECT_EQ(malformed("<attachments><disk target='sdb' plugin='p'/>"
                      "<disk target='sdb' plugin='q'/></attachments>"),
            "the volcrypt record in the domain's metadata is malformed: two records for target "
            "'sdb'");
}

TEST(Record, UnknownElementsAreIgnoredForNewerVersions) {
  auto back = records_from_xml(
      "<attachments><disk target='sdb' plugin='p'><future/><state key='k' value='v'/></disk>"
      "<note/></attachments>");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].state.at("k"), "v");
}

TEST(Record, ReadFromAWholeDomainXmlAsAHookGetsIt) {
  const std::string domain =
      "<domain type='qemu'><name>vm</name><metadata>"
      "<nova:instance xmlns:nova='http://openstack.org/xmlns/libvirt/nova/1.1'/>"
      "<volcrypt:attachments xmlns:volcrypt='urn:volcrypt:record:1'>"
      "<volcrypt:disk target='sdb' volume-id='v1' plugin='cryptsetup-luks'>"
      "<volcrypt:state key='mapping' value='crypt-loop3'/></volcrypt:disk>"
      "</volcrypt:attachments></metadata><devices/></domain>";
  auto records = records_from_domain_xml(domain);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].plugin_id, "cryptsetup-luks");
  EXPECT_EQ(records[0].state.at("mapping"), "crypt-loop3");
  EXPECT_TRUE(records_from_domain_xml("<domain><name>vm</name></domain>").empty());
  try {
    records_from_domain_xml("<vm/>");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "the domain XML has no <domain> root element");
  }
}

}  // namespace
}  // namespace volcrypt
