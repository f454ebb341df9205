// Secrets a domain's disks name, defined again from the key source (volcrypt start,
// prepare, migrate), against the real libvirtd.
#include "operations/named_secrets.hpp"

#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>
#include <volcrypt/error.hpp>

#include "expect_error.hpp"
#include "libvirt_checks.hpp"

namespace volcrypt {
namespace {

constexpr const char* kUri = "qemu:///system";

std::string unique(const std::string& what) {
  return "volcrypt-test-" + std::to_string(getpid()) + "-named-" + what;
}

// Fixed per process, so a leftover of a crashed run is found and removed by the next.
std::string uuid_for(int n) {
  std::string pid = std::to_string(getpid() % 1000000);
  pid.insert(0, 6 - pid.size(), '0');
  std::string suffix = std::to_string(n);
  suffix.insert(0, 6 - suffix.size(), '0');
  return "5ec7e700-0000-4000-8000-" + pid + suffix;
}

std::string disk(const std::string& target, const std::string& uuid) {
  return "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
         "<source file='/var/lib/volcrypt-test/" +
         target + "'><encryption format='luks'><secret type='passphrase' uuid='" + uuid +
         "'/></encryption></source><target dev='" + target + "' bus='scsi'/></disk>";
}

std::string domain_xml(const std::vector<std::string>& disks) {
  std::string xml = "<domain type='qemu'><name>x</name><devices>";
  for (const auto& d : disks) xml += d;
  return xml + "</devices></domain>";
}

Record record(const std::string& target, const std::string& volume_id) {
  Record r;
  r.target = target;
  r.volume_id = volume_id;
  r.plugin_id = "qemu-native-luks";
  return r;
}

VolumeKey key_of(const std::string& text) {
  SecureBytes bytes(text.size());
  std::copy(text.begin(), text.end(), bytes.data());
  return VolumeKey::from_passphrase(std::move(bytes));
}

class NamedSecrets : public ::testing::Test {
 protected:
  void TearDown() override {
    for (int n = 1; n <= 3; ++n) test::undefine_secret_if_present(session_.raw(), uuid_for(n));
  }

  LibvirtSession session_{kUri, /*ephemeral_secrets=*/true};
};

TEST_F(NamedSecrets, DefinesTheMissingOnesWithTheUuidsTheDisksNameInMemoryOnly) {
  const std::string xml = domain_xml({disk("sdb", uuid_for(1)), disk("sdc", uuid_for(2))});
  const std::vector<Record> records{record("sdb", unique("a")), record("sdc", unique("b"))};
  std::vector<std::string> asked;
  auto outcomes = restore_named_secrets(session_, xml, records, [&](const Record& r) {
    asked.push_back(r.volume_id);
    return key_of("passphrase of " + r.volume_id);
  });
  ASSERT_EQ(outcomes.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(outcomes[i].uuid, uuid_for(i + 1));
    EXPECT_TRUE(outcomes[i].defined);
    auto info = session_.secret_info(uuid_for(i + 1));
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->usage_id, records[i].volume_id);
    const std::string secret = test::secret_xml(session_.raw(), uuid_for(i + 1));
    EXPECT_NE(secret.find("ephemeral='yes'"), std::string::npos) << secret;
    EXPECT_NE(secret.find("private='yes'"), std::string::npos) << secret;
    // Ephemeral: libvirtd wrote nothing of it to the host's disk.
    for (const auto& file : std::filesystem::directory_iterator("/etc/libvirt/secrets")) {
      EXPECT_FALSE(file.path().filename().string().starts_with(uuid_for(i + 1))) << file.path();
    }
  }
  EXPECT_EQ(asked, (std::vector<std::string>{records[0].volume_id, records[1].volume_id}));

  // Again: both are there, no key is asked for and nothing is defined.
  asked.clear();
  outcomes = restore_named_secrets(session_, xml, records, [&](const Record& r) {
    asked.push_back(r.volume_id);
    return key_of("x");
  });
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_FALSE(outcomes[0].defined);
  EXPECT_FALSE(outcomes[1].defined);
  EXPECT_TRUE(asked.empty());

  EXPECT_TRUE(remove_defined_secrets(session_, "", outcomes).empty());
  EXPECT_TRUE(session_.secret_info(uuid_for(1)).has_value());
}

TEST_F(NamedSecrets, ADiskWithoutANamedSecretNeedsNone) {
  const std::string xml =
      domain_xml({"<disk type='block' device='disk'><source dev='/dev/mapper/x'/>"
                  "<target dev='sdd' bus='scsi'/></disk>"});
  auto outcomes = restore_named_secrets(session_, xml, {record("sdd", unique("c"))},
                                        [](const Record&) -> VolumeKey {
                                          ADD_FAILURE() << "no key is needed";
                                          return {};
                                        });
  EXPECT_TRUE(outcomes.empty());
}

TEST_F(NamedSecrets, ASecretOfAnotherVolumeUnderTheUuidIsRefusedAndNothingIsLeft) {
  // sdb's secret is missing; sdc's uuid is taken by another volume's secret.
  session_.create_volume_secret(unique("other"), std::vector<uint8_t>{'o'}, uuid_for(2));
  const std::string xml = domain_xml({disk("sdb", uuid_for(1)), disk("sdc", uuid_for(2))});
  const std::vector<Record> records{record("sdb", unique("a")), record("sdc", unique("b"))};
  const std::string message = test_support::error_of(ErrorKind::busy, [&] {
    restore_named_secrets(session_, xml, records, [](const Record&) { return key_of("k"); });
  });
  EXPECT_EQ(message, "libvirt secret " + uuid_for(2) + " at qemu:///system, named by disk 'sdc', " +
                         "belongs to volume " + unique("other") + ", not to volume " + unique("b") +
                         "; nothing was defined");
  EXPECT_FALSE(session_.secret_info(uuid_for(1)).has_value());
  EXPECT_EQ(session_.secret_info(uuid_for(2))->usage_id, unique("other"));
}

TEST_F(NamedSecrets, AMissingKeyNamesTheVolumeAndDefinesNothing) {
  const std::string xml = domain_xml({disk("sdb", uuid_for(1)), disk("sdc", uuid_for(2))});
  const std::vector<Record> records{record("sdb", unique("a")), record("sdc", unique("b"))};
  const std::string message = test_support::error_of(ErrorKind::usage, [&] {
    restore_named_secrets(session_, xml, records, [&](const Record& r) {
      return r.target == "sdb" ? key_of("k") : VolumeKey{};
    });
  });
  EXPECT_EQ(message,
            "defining the secret of volume " + unique("b") + " (disk 'sdc') needs its key");
  EXPECT_FALSE(session_.secret_info(uuid_for(1)).has_value());
  EXPECT_FALSE(session_.secret_info(uuid_for(2)).has_value());
}

}  // namespace
}  // namespace volcrypt
