#include "secret_xml.hpp"

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

}  // namespace
}  // namespace volcrypt
