#include "domain/domain_running.hpp"

#include <gtest/gtest.h>

namespace volcrypt {
namespace {

TEST(DomainRunning, TheRootsIdSaysTheDomainRuns) {
  EXPECT_TRUE(xml_says_running("<domain type='qemu' id='7'>\n  <name>guest</name>\n</domain>\n"));
  EXPECT_TRUE(xml_says_running(
      "<domain type='kvm' id='12' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>"
      "<name>guest</name></domain>"));
}

TEST(DomainRunning, AShutOffDomainHasNoIdOnItsRoot) {
  EXPECT_FALSE(xml_says_running("<domain type='qemu'>\n  <name>guest</name>\n</domain>\n"));
}

TEST(DomainRunning, AnIdBelowTheRootOrInsideAValueDoesNotCount) {
  // A shut-off domain whose devices and metadata carry ids and id-like text.
  EXPECT_FALSE(xml_says_running(
      "<domain type='qemu' xmlns:x='urn:a id=&apos;3&apos;'>\n  <name>guest</name>\n"
      "  <metadata><x:note id='1'/></metadata>\n"
      "  <devices><hostdev><address id='2'/></hostdev></devices>\n</domain>\n"));
  EXPECT_FALSE(xml_says_running("<domain type='qemu' uuid_id='5'><name>x</name></domain>"));
}

TEST(DomainRunning, TextThatIsNoDomainIsNotRunning) {
  EXPECT_FALSE(xml_says_running(""));
  EXPECT_FALSE(xml_says_running("<network id='1'/>"));
}

}  // namespace
}  // namespace volcrypt
