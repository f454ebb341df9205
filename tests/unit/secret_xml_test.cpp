#include "domain/secret_xml.hpp"

#include <gtest/gtest.h>
#include <tinyxml2.h>

#include <string>

namespace volcrypt {
namespace {

TEST(SecretXml, IsAPrivatePersistentVolumeSecret) {
  const std::string xml = build_volume_secret_xml("vol-1");
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  const auto* secret = doc.RootElement();
  ASSERT_STREQ(secret->Name(), "secret");
  EXPECT_STREQ(secret->Attribute("ephemeral"), "no");
  EXPECT_STREQ(secret->Attribute("private"), "yes");
  const auto* usage = secret->FirstChildElement("usage");
  ASSERT_NE(usage, nullptr);
  EXPECT_STREQ(usage->Attribute("type"), "volume");
  ASSERT_NE(usage->FirstChildElement("volume"), nullptr);
  EXPECT_STREQ(usage->FirstChildElement("volume")->GetText(), "vol-1");
  EXPECT_STREQ(secret->FirstChildElement("description")->GetText(),
               "volcrypt passphrase for volume vol-1");
}

TEST(SecretXml, AnEphemeralSecretDefinedAgainKeepsItsUuid) {
  const std::string uuid = "5ec7e700-0000-4000-8000-000000000001";
  const std::string xml = build_volume_secret_xml("vol-1", {.ephemeral = true, .uuid = uuid});
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  const auto* secret = doc.RootElement();
  EXPECT_STREQ(secret->Attribute("ephemeral"), "yes");
  EXPECT_STREQ(secret->Attribute("private"), "yes");
  ASSERT_NE(secret->FirstChildElement("uuid"), nullptr) << xml;
  EXPECT_EQ(std::string(secret->FirstChildElement("uuid")->GetText()), uuid);
  EXPECT_EQ(parse_secret_xml(xml).usage_id, "vol-1");
}

TEST(SecretXml, EscapesOddCharactersInTheVolumeId) {
  const std::string id = "a<b>&\"c'd";
  const std::string xml = build_volume_secret_xml(id);
  EXPECT_EQ(xml.find("a<b>"), std::string::npos) << xml;
  tinyxml2::XMLDocument doc;
  ASSERT_EQ(doc.Parse(xml.c_str()), tinyxml2::XML_SUCCESS) << xml;
  EXPECT_EQ(
      std::string(
          doc.RootElement()->FirstChildElement("usage")->FirstChildElement("volume")->GetText()),
      id);
}

TEST(SecretXml, WhatVolcryptWritesReadsBackAsVolcryptsOwn) {
  SecretInfo info = parse_secret_xml(build_volume_secret_xml("vol-1"));
  EXPECT_EQ(info.usage_type, "volume");
  EXPECT_EQ(info.usage_id, "vol-1");
  EXPECT_TRUE(is_volcrypt_secret(info));
}

TEST(SecretXml, SecretsOthersMadeAreNotVolcrypts) {
  // As Nova defines them: a volume usage, a description of its own.
  SecretInfo nova = parse_secret_xml(
      "<secret ephemeral='no' private='yes'><description>nova volume secret</description>"
      "<usage type='volume'><volume>vol-1</volume></usage></secret>");
  EXPECT_EQ(nova.usage_id, "vol-1");
  EXPECT_FALSE(is_volcrypt_secret(nova));
  // volcrypt's text, but for another volume than its usage names.
  SecretInfo mismatched = parse_secret_xml(
      "<secret><description>volcrypt passphrase for volume vol-2</description>"
      "<usage type='volume'><volume>vol-1</volume></usage></secret>");
  EXPECT_FALSE(is_volcrypt_secret(mismatched));
  SecretInfo ceph = parse_secret_xml(
      "<secret><description>volcrypt passphrase for volume x</description>"
      "<usage type='ceph'><name>x</name></usage></secret>");
  EXPECT_EQ(ceph.usage_type, "ceph");
  EXPECT_FALSE(is_volcrypt_secret(ceph));
  EXPECT_FALSE(is_volcrypt_secret(parse_secret_xml("not xml")));
}

}  // namespace
}  // namespace volcrypt
