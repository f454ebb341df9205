// The attachment's state service hands every entry to the operation as it is set, so an
// attach journals what a plugin is about to make before the plugin makes it.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "plugin_host/host_services.hpp"

namespace volcrypt {
namespace {

class AttachmentStateJournal : public ::testing::Test {
 protected:
  HostServices host{nullptr, HostFacts{}, [](int, const std::string&) {}};
  volcrypt_attachment attachment;
  const volcrypt_host* table = host.table();
};

TEST_F(AttachmentStateJournal, EachEntryIsHandedOnAsItIsSet) {
  std::vector<std::map<std::string, std::string>> journaled;
  attachment.state_set = [&] { journaled.push_back(attachment.state); };
  ASSERT_EQ(table->attachment_set_state(&attachment, "mapping", "crypt-vol"), VOLCRYPT_OK);
  ASSERT_EQ(table->attachment_set_state(&attachment, "device", "/dev/loop3"), VOLCRYPT_OK);
  ASSERT_EQ(journaled.size(), 2u);
  EXPECT_EQ(journaled[0], (std::map<std::string, std::string>{{"mapping", "crypt-vol"}}));
  EXPECT_EQ(journaled[1].at("device"), "/dev/loop3");
}

TEST_F(AttachmentStateJournal, AnEntryThatCannotBeJournaledFailsAndIsNotKept) {
  attachment.state_set = [] { throw std::runtime_error("disk full"); };
  EXPECT_EQ(table->attachment_set_state(&attachment, "mapping", "crypt-vol"),
            VOLCRYPT_ERROR_FAILED);
  EXPECT_TRUE(attachment.state.empty());
}

TEST_F(AttachmentStateJournal, WithoutAJournalTheEntryIsSimplyKept) {
  ASSERT_EQ(table->attachment_set_state(&attachment, "mapping", "crypt-vol"), VOLCRYPT_OK);
  EXPECT_EQ(attachment.state.at("mapping"), "crypt-vol");
}

}  // namespace
}  // namespace volcrypt
