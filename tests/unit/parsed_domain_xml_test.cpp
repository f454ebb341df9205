#include "domain/parsed_domain_xml.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "domain/record.hpp"

namespace volcrypt {
namespace {

const std::string kRecordOpen =
    "<volcrypt:attachments xmlns:volcrypt='urn:volcrypt:record:1'>"
    "<volcrypt:disk target='sdb' volume-id='v1' source='/v/1' provider='luks' "
    "plugin='qemu-native-luks' plugin-version='1.0.0'/>";

std::string domain_with(const std::string& records) {
  return "<domain type='qemu'><name>d</name><metadata>" + records +
         "</metadata><devices><disk type='file' device='disk'><source file='/v/1'/>"
         "<target dev='sdb' bus='scsi'/><serial>v1</serial></disk></devices></domain>";
}

template <typename Call>
Error error_of(Call&& call) {
  try {
    call();
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "no error thrown";
  return Error(ErrorKind::internal, "");
}

TEST(ParsedDomainXml, OneTextIsParsedOnceForItsDisksAndItsRecords) {
  const std::string xml = domain_with(kRecordOpen + "</volcrypt:attachments>");
  auto first = parsed_domain_xml(xml);
  EXPECT_EQ(parsed_domain_xml(std::string(xml)), first);  // the same text, another copy
  ASSERT_EQ(first->disks.size(), 1u);
  EXPECT_EQ(first->disks[0].target, "sdb");
  ASSERT_EQ(first->records.size(), 1u);
  EXPECT_EQ(first->records[0].volume_id, "v1");
  EXPECT_EQ(find_disk(xml, "sdb")->serial, "v1");
  EXPECT_EQ(records_from_domain_xml(xml).at(0).plugin_id, "qemu-native-luks");
  // Another text is another parse.
  EXPECT_NE(parsed_domain_xml(domain_with("")), first);
  EXPECT_TRUE(records_from_domain_xml(domain_with("")).empty());
}

TEST(ParsedDomainXml, TextThatIsNotXmlFailsEachReaderWithItsOwnWords) {
  const std::string broken = "<domain><devices>";
  for (int pass = 0; pass < 2; ++pass) {  // the second pass is answered from the kept parse
    Error disks = error_of([&] { disks_in_domain_xml(broken); });
    EXPECT_EQ(disks.kind(), ErrorKind::internal);
    EXPECT_EQ(std::string(disks.what()).rfind("cannot parse the domain XML from libvirt: ", 0), 0u)
        << disks.what();
    Error records = error_of([&] { records_from_domain_xml(broken); });
    EXPECT_EQ(records.kind(), ErrorKind::usage);
    EXPECT_EQ(std::string(records.what()).rfind("the domain XML is not well-formed (", 0), 0u)
        << records.what();
  }
  Error root = error_of([&] { records_from_domain_xml("<network/>"); });
  EXPECT_STREQ(root.what(), "the domain XML has no <domain> root element");
}

TEST(ParsedDomainXml, AMalformedRecordLeavesTheDisksReadable) {
  const std::string xml =
      domain_with(kRecordOpen + "<volcrypt:disk target='sdb'/></volcrypt:attachments>");
  EXPECT_EQ(find_disk(xml, "sdb")->source_path, "/v/1");
  Error records = error_of([&] { records_from_domain_xml(xml); });
  EXPECT_NE(std::string(records.what())
                .find("the volcrypt record in the domain's metadata is "
                      "malformed"),
            std::string::npos)
      << records.what();
}

TEST(ParsedDomainXml, NetworkDisksAreReadInTheSameParseAsTheOthers) {
  const std::string xml =
      "<domain type='qemu'><name>d</name><devices><disk type='file' device='disk'>"
      "<source file='/v/1'/><target dev='sdb' bus='scsi'/></disk><disk type='network' "
      "device='disk'><source protocol='nbd' name='e'><host name='127.0.0.1' port='10809'/>"
      "</source><target dev='sdc' bus='scsi'/></disk><disk type='network' device='disk'>"
      "<source protocol='gluster' name='v/i'><host name='g'/></source><target dev='sdd' "
      "bus='scsi'/></disk></devices></domain>";
  auto parsed = parsed_domain_xml(xml);
  ASSERT_FALSE(parsed->disks_error);
  ASSERT_EQ(parsed->disks.size(), 3u);
  ASSERT_TRUE(parsed->disks[1].network.has_value());
  EXPECT_EQ(parsed->disks[1].network->hosts, (std::vector<NetworkHost>{{"127.0.0.1", 10809}}));
  EXPECT_FALSE(parsed->disks[2].network.has_value());
  EXPECT_EQ(parsed->disk_xml(1),
            "<disk type=\"network\" device=\"disk\"><source protocol=\"nbd\" name=\"e\">"
            "<host name=\"127.0.0.1\" port=\"10809\"/></source><target dev=\"sdc\" "
            "bus=\"scsi\"/></disk>");
}
}  // namespace
}  // namespace volcrypt
