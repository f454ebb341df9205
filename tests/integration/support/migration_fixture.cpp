#include "migration_fixture.hpp"

#include <cstdint>
#include <filesystem>

#include "operations/intent_journal.hpp"

namespace volcrypt::test {

std::string domain_uuid(virConnectPtr connection, const std::string& name) {
  virDomainPtr domain = virDomainLookupByName(connection, name.c_str());
  char uuid[VIR_UUID_STRING_BUFLEN] = "";
  if (domain != nullptr) {
    virDomainGetUUIDString(domain, uuid);
    virDomainFree(domain);
  }
  return uuid;
}

std::vector<std::string> intents_of(const std::string& domain_uuid) {
  std::vector<std::string> out;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(intent_directory(), error)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(domain_uuid)) out.push_back(entry.path());
  }
  return out;
}

void MigrationTest::SetUp() {
  IntegrationTest::SetUp();
  destination = std::make_unique<SecondLibvirtd>();
  key_dir = scratch->folder("keys");
}

void MigrationTest::TearDown() {
  IntegrationTest::TearDown();
  destination.reset();
}

std::unique_ptr<TestDomain> MigrationTest::domain_with_luks_disk(bool persistent) {
  auto domain = std::make_unique<TestDomain>(
      connection->get(), unique("mig"),
      DomainOptions{.persistent = persistent, .start = true, .serial_log = {}});
  volume_id = unique("mig-vol");
  volume_ids.push_back(volume_id);
  const std::string volume = make_luks1_with_pattern(volume_id + ".luks", 0xab);
  std::vector<std::string> attach = {
      "attach",       "--domain",    domain->name(), "--target",   "sdb",  "--source",
      volume,         "--volume-id", volume_id,      "--provider", "luks", "--passphrase-file",
      passphrase_file};
  // A persistent domain keeps the disk in its config too, as a cloud's domains do.
  if (persistent) attach.insert(attach.end(), {"--live", "--config"});
  ProcessResult r = volcrypt(attach);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The key source of the migration: one passphrase file per volume id.
  test_volumes::write_file(key_dir + "/" + volume_id, passphrase);
  std::filesystem::permissions(key_dir + "/" + volume_id, std::filesystem::perms::owner_read |
                                                              std::filesystem::perms::owner_write);
  return domain;
}

bool MigrationTest::destination_secret_holds_passphrase(const std::string& uuid) const {
  const std::string file = destination->secret_dir() + "/" + uuid + ".base64";
  if (!std::filesystem::exists(file)) return false;
  const auto stored = test_volumes::read_file(file);
  return std::string(stored.begin(), stored.end()) == base64_text(passphrase);
}

}  // namespace volcrypt::test
