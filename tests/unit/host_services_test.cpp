// The host's service table (plugin_abi.h): the 1.1 attachment services say why they
// refuse, the 1.0 ones keep their old contract, no C++ exception leaves a service, and
// the secret services reach the operation's SecretStore only as far as it allows.
#include "plugin_host/host_services.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <volcrypt/error.hpp>

#include "plugin_host/secret_store.hpp"

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

TEST_F(HostServicesTest, OffersTheCurrentAbiWithTheServicesNewInOneOne) {
  EXPECT_EQ(table->abi_major, 1u);
  EXPECT_EQ(table->abi_minor, 5u);
  EXPECT_TRUE(VOLCRYPT_HAS_FIELD(table, volcrypt_host, attachment_set_state2));
  EXPECT_NE(table->attachment_set_source2, nullptr);
  EXPECT_NE(table->attachment_set_native_encryption2, nullptr);
  EXPECT_NE(table->attachment_set_state2, nullptr);
}

TEST(HostServicesFacts, CarryTheHostBenchFiguresFromOneThree) {
  HostFacts facts;
  facts.throughput.cpu_aes_xts = 5'000'000'000;
  facts.throughput.qemu_luks_read = 400'000'000;
  facts.throughput.dm_crypt = 1'200'000'000;
  facts.throughput.librbd_luks_read = 2'300'000'000;
  HostServices host{nullptr, facts, {}};
  const volcrypt_host_facts* abi = host.table()->facts(host.table()->context);
  ASSERT_TRUE(VOLCRYPT_HAS_FIELD(abi, volcrypt_host_facts, dm_crypt_bytes_per_second));
  EXPECT_EQ(abi->cpu_aes_xts_bytes_per_second, 5'000'000'000u);
  EXPECT_EQ(abi->qemu_luks_read_bytes_per_second, 400'000'000u);
  EXPECT_EQ(abi->dm_crypt_bytes_per_second, 1'200'000'000u);
  // ABI 1.4: librbd's figure.
  ASSERT_TRUE(VOLCRYPT_HAS_FIELD(abi, volcrypt_host_facts, librbd_luks_read_bytes_per_second));
  EXPECT_EQ(abi->librbd_luks_read_bytes_per_second, 2'300'000'000u);
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
  EXPECT_EQ(buffer.message(), "source kind 7 is neither file, block nor network");
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

// A store that records what reached it; may_change as an attach (true) or a probe (false).
class RecordingSecrets : public SecretStore {
 public:
  explicit RecordingSecrets(bool may_change) : may_change_(may_change) {}
  bool may_change() const override { return may_change_; }
  std::string define(const std::string& usage_id, std::span<const uint8_t> value) override {
    defined.emplace_back(usage_id, std::string(value.begin(), value.end()));
    return "0f6e2b8e-6a44-4c5f-9d8b-3a7c1e2d4b5a";
  }
  std::optional<std::string> lookup(const std::string& usage_id) override {
    if (usage_id != "vol-1") return std::nullopt;
    return "11111111-2222-3333-4444-555555555555";
  }
  void undefine(const std::string& uuid) override { undefined.push_back(uuid); }

  std::vector<std::pair<std::string, std::string>> defined;
  std::vector<std::string> undefined;

 private:
  bool may_change_;
};

TEST(HostServicesSecrets, AnAttachDefinesLooksUpAndUndefinesThroughItsStore) {
  RecordingSecrets secrets(true);
  HostServices host(&secrets, HostFacts{}, {});
  const volcrypt_host* table = host.table();
  ErrorBuffer buffer;
  char uuid[37] = {};
  const uint8_t value[] = {'p', 'w'};
  ASSERT_EQ(table->secret_define(table->context, "vol-1", value, sizeof value, uuid, &buffer.error),
            VOLCRYPT_OK)
      << buffer.message();
  EXPECT_STREQ(uuid, "0f6e2b8e-6a44-4c5f-9d8b-3a7c1e2d4b5a");
  ASSERT_EQ(secrets.defined.size(), 1u);
  EXPECT_EQ(secrets.defined[0].first, "vol-1");
  EXPECT_EQ(secrets.defined[0].second, "pw");
  ASSERT_EQ(table->secret_lookup(table->context, "vol-1", uuid, &buffer.error), VOLCRYPT_OK);
  EXPECT_STREQ(uuid, "11111111-2222-3333-4444-555555555555");
  EXPECT_EQ(table->secret_lookup(table->context, "vol-2", uuid, &buffer.error),
            VOLCRYPT_ERROR_NOT_FOUND);
  EXPECT_EQ(buffer.message(), "no secret for volume vol-2");
  EXPECT_EQ(table->secret_undefine(table->context, "some-uuid", &buffer.error), VOLCRYPT_OK);
  EXPECT_EQ(secrets.undefined, std::vector<std::string>{"some-uuid"});
}

TEST(HostServicesSecrets, AProbeLooksSecretsUpButNeverChangesThem) {
  RecordingSecrets secrets(false);
  HostServices host(&secrets, HostFacts{}, {});
  const volcrypt_host* table = host.table();
  ErrorBuffer buffer;
  char uuid[37] = {};
  const uint8_t value[] = {'p', 'w'};
  EXPECT_EQ(table->secret_define(table->context, "vol-1", value, sizeof value, uuid, &buffer.error),
            VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(buffer.message(), "secrets cannot be defined here (only while attaching)");
  EXPECT_EQ(table->secret_undefine(table->context, "some-uuid", &buffer.error),
            VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(buffer.message(),
            "secrets cannot be undefined here (only while attaching or detaching)");
  EXPECT_TRUE(secrets.defined.empty());
  EXPECT_TRUE(secrets.undefined.empty());
  EXPECT_EQ(table->secret_lookup(table->context, "vol-1", uuid, &buffer.error), VOLCRYPT_OK);
  EXPECT_STREQ(uuid, "11111111-2222-3333-4444-555555555555");
}

TEST(HostServicesSecrets, WithoutAStoreEverySecretServiceRefuses) {
  HostServices host(nullptr, HostFacts{}, {});
  const volcrypt_host* table = host.table();
  ErrorBuffer buffer;
  char uuid[37] = {};
  EXPECT_EQ(table->secret_lookup(table->context, "vol-1", uuid, &buffer.error),
            VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(buffer.message(), "no libvirt connection: secrets are not available");
  EXPECT_EQ(table->secret_define(table->context, "vol-1", nullptr, 0, uuid, &buffer.error),
            VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(buffer.message(), "secrets cannot be defined here (only while attaching)");
}

TEST_F(HostServicesTest, TheEncryptionEngineFollowsANativeEncryptionAndIsQemuOrLibrbd) {
  EXPECT_EQ(table->attachment_set_encryption_engine(&attachment, "librbd", &buffer.error),
            VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(buffer.message(), "an encryption engine without native encryption (set that first)");
  ASSERT_EQ(table->attachment_set_native_encryption2(&attachment, "luks2", "u", &buffer.error),
            VOLCRYPT_OK);
  EXPECT_EQ(table->attachment_set_encryption_engine(&attachment, "openssl", &buffer.error),
            VOLCRYPT_ERROR_INVALID);
  EXPECT_EQ(buffer.message(), "encryption engine 'openssl' is neither qemu nor librbd");
  EXPECT_EQ(table->attachment_set_encryption_engine(&attachment, "librbd", &buffer.error),
            VOLCRYPT_OK);
  EXPECT_EQ(attachment.encryption->engine, "librbd");
}

TEST_F(HostServicesTest, ThePassphraseIsCheckedOnlyWhilePreparing) {
  const uint8_t key[] = {'k', 'e', 'y'};
  EXPECT_EQ(table->check_passphrase(table->context, key, sizeof key, &buffer.error),
            VOLCRYPT_ERROR_NOT_SUPPORTED);
  EXPECT_EQ(buffer.message(), "the passphrase can be checked only while preparing a volume");
  host.set_passphrase_check([](std::span<const uint8_t> passphrase) {
    return std::string(passphrase.begin(), passphrase.end()) == "key";
  });
  EXPECT_EQ(table->check_passphrase(table->context, key, sizeof key, &buffer.error), VOLCRYPT_OK);
  EXPECT_EQ(table->check_passphrase(table->context, key, 2, &buffer.error),
            VOLCRYPT_ERROR_WRONG_KEY);
  EXPECT_EQ(buffer.message(), "no key slot opens with this passphrase");
  host.set_passphrase_check([](std::span<const uint8_t>) -> bool {
    throw Error(ErrorKind::refused_data, "the LUKS header of volume 'v' is damaged or not LUKS");
  });
  EXPECT_EQ(table->check_passphrase(table->context, key, sizeof key, &buffer.error),
            VOLCRYPT_ERROR_REFUSED_DATA);
  EXPECT_EQ(buffer.message(), "the LUKS header of volume 'v' is damaged or not LUKS");
}

}  // namespace
}  // namespace volcrypt
