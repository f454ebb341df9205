// The host's service table (plugin_abi.h): the 1.1 attachment services say why they
// refuse, the 1.0 ones keep their old contract, and no C++ exception leaves a service.
#include "host_services.hpp"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string>

namespace volcrypt {
namespace {

struct ErrorBuffer {
  std::array<char, 256> text{};
  volcrypt_error error{text.data(), text.size()};
  std::string message() const { return text.data(); }
};

class HostServicesTest : public ::testing::Test {
 protected:
  HostServices host{nullptr, HostFacts{}, {}};
  const volcrypt_host* table = host.table();
  volcrypt_attachment attachment;
  ErrorBuffer buffer;
};

TEST_F(HostServicesTest, OffersAbiOneOneWithTheNewServices) {
  EXPECT_EQ(table->abi_major, 1u);
  EXPECT_EQ(table->abi_minor, 1u);
  EXPECT_TRUE(VOLCRYPT_HAS_FIELD(table, volcrypt_host, attachment_set_state2));
  EXPECT_NE(table->attachment_set_source2, nullptr);
  EXPECT_NE(table->attachment_set_native_encryption2, nullptr);
  EXPECT_NE(table->attachment_set_state2, nullptr);
}

TEST_F(HostServicesTest, ARefusedStateKeySaysWhy) {
  EXPECT_EQ(table->attachment_set_state2(&attachment, "Bad Key", "v", &buffer.error),
            VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(buffer.message(), "state key 'Bad Key' is not [a-z0-9-]+");
  EXPECT_TRUE(attachment.state.empty());
}

TEST_F(HostServicesTest, TheOldStateServiceStillRefusesWithoutABuffer) {
  EXPECT_EQ(table->attachment_set_state(&attachment, "Bad Key", "v"), VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(table->attachment_set_state(&attachment, "good-key", "v"), VOLCRYPT_OK);
  EXPECT_EQ(attachment.state.at("good-key"), "v");
}

TEST_F(HostServicesTest, ARefusedSourceOrEncryptionSaysWhy) {
  EXPECT_EQ(table->attachment_set_source2(&attachment, VOLCRYPT_SOURCE_FILE, "", &buffer.error),
            VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(buffer.message(), "the disk source path is empty");
  EXPECT_EQ(table->attachment_set_source2(&attachment, 7, "/v", &buffer.error),
            VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(buffer.message(), "source kind 7 is neither file nor block");
  EXPECT_FALSE(attachment.source_kind.has_value());
  EXPECT_EQ(table->attachment_set_native_encryption2(&attachment, "luks", "", &buffer.error),
            VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(buffer.message(), "the encryption names no secret uuid");

  EXPECT_EQ(
      table->attachment_set_source2(&attachment, VOLCRYPT_SOURCE_BLOCK, "/dev/x", &buffer.error),
      VOLCRYPT_OK);
  EXPECT_EQ(attachment.source_path, "/dev/x");
}

TEST_F(HostServicesTest, AStateKeyWithControlCharactersIsShownSafely) {
  table->attachment_set_state2(&attachment, "a\nb", "v", &buffer.error);
  EXPECT_EQ(buffer.message(), "state key 'a\\x0ab' is not [a-z0-9-]+");
}

// The log service's sink throws: the exception must stop at the C boundary.
TEST(HostServicesLog, AThrowingLogSinkNeverReachesThePlugin) {
  HostServices host(nullptr, HostFacts{},
                    [](int, const std::string&) { throw std::runtime_error("log sink failed"); });
  const volcrypt_host* table = host.table();
  EXPECT_NO_THROW(table->log(table->context, VOLCRYPT_LOG_ERROR, "a line"));
  EXPECT_NE(table->facts(table->context), nullptr);
}

}  // namespace
}  // namespace volcrypt
