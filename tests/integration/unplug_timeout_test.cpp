// A live detach the guest never answers: a hot-plugged virtio disk is a PCI device, and
// QEMU removes it only when the guest OS acknowledges the unplug. These domains have no
// guest OS, so the unplug stays pending: volcrypt must wait its `detach-timeout-ms`, say
// so, and keep what the still-plugged disk needs (its secret and its record).
#include <gmock/gmock.h>

#include "host_tools.hpp"
#include "integration_test.hpp"
#include "migration_fixture.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

class UnplugTimeout : public IntegrationTest {};

TEST_F(UnplugTimeout, AnUnansweredUnplugFailsBusyAndKeepsTheSecretAndTheRecord) {
  TestDomain domain(connection->get(), unique("unplug"),
                    DomainOptions{.persistent = true, .start = true, .serial_log = {}});
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  const std::string volume = make_luks1_with_pattern(volume_id + ".luks", 0x5a);
  ProcessResult attach = volcrypt({"attach", "--domain", domain.name(), "--target", "vdb", "--bus",
                                   "virtio", "--source", volume, "--volume-id", volume_id,
                                   "--provider", "luks", "--passphrase-file", passphrase_file});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  const std::string config = path("volcrypt.conf");
  test_volumes::write_file(config, "detach-timeout-ms = 1500\n");
  ProcessResult detach = volcrypt(
      {"--config", config, "detach", "--domain", domain.name(), "--target", "vdb", "--live"});
  EXPECT_EQ(detach.exit_code, 7) << detach.err;
  EXPECT_EQ(detach.err, "volcrypt: error: domain '" + domain.name() +
                            "' did not release disk 'vdb' within 1500 ms; its key material and "
                            "record are kept\n");
  // The disk is still plugged and still reads through QEMU with the kept secret.
  EXPECT_THAT(domain.live_xml(), HasSubstr("<target dev='vdb' bus='virtio'/>"));
  EXPECT_THAT(domain.read_pattern("vdb", 0x5a, 1 << 20), HasSubstr(kReadOk));
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  const auto record = volcrypt_metadata(connection->get(), domain.name(), /*inactive=*/false);
  ASSERT_TRUE(record.has_value());
  EXPECT_THAT(*record, HasSubstr("volume-id=\"" + volume_id + "\""));
  // A timeout is a clean failure, not a kill: no intent is left for `recover`.
  EXPECT_TRUE(intents_of(domain_uuid(connection->get(), domain.name())).empty());
}

}  // namespace
}  // namespace volcrypt::test
