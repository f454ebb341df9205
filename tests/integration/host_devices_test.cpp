// volcrypt prepare / release and the libvirt hook on this host. Mappings are opened for
// real in the guest stage (tests/guest); here: records of native LUKS need nothing on
// the host, the hook reads the records from the XML on standard input, and bad input.
#include <gmock/gmock.h>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

class HostDevices : public IntegrationTest {};

TEST_F(HostDevices, NativeRecordsNeedNothingOnTheHostAndStay) {
  TestDomain domain(connection->get(), unique("prep"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("prep");
  volume_ids.push_back(volume_id);
  ProcessResult r = volcrypt({"attach", "--domain", domain.name(), "--target", "sdb", "--source",
                              volume, "--volume-id", volume_id, "--provider", "luks",
                              "--passphrase-file", passphrase_file, "--config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto record = volcrypt_metadata(connection->get(), domain.name(), true);

  r = volcrypt({"prepare", "--domain", domain.name(), "--passphrase-dir", scratch->path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "sdb: volume " + volume_id + " (qemu-native-luks): nothing to do\n");
  r = volcrypt({"release", "--domain", domain.name(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"plugin\":\"qemu-native-luks\",\"action\":\"nothing to do\""));
  EXPECT_EQ(volcrypt_metadata(connection->get(), domain.name(), true), record);
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);

  // The hook gets the domain XML on standard input and must not call libvirt.
  const std::string hook = std::string(VOLCRYPT_SOURCE_DIR) + "/packaging/libvirt-hook-qemu";
  for (const char* operation : {"prepare", "release"}) {
    ProcessResult h = run_process({"sh", hook, domain.name(), operation, "begin", "-"},
                                  domain.inactive_xml(), {{"VOLCRYPT_PROGRAM", VOLCRYPT_BINARY}});
    EXPECT_EQ(h.exit_code, 0) << operation << ": " << h.err;
    EXPECT_THAT(h.out,
                HasSubstr("sdb: volume " + volume_id + " (qemu-native-luks): nothing to do"));
  }
  ProcessResult other = run_process({"sh", hook, domain.name(), "started", "begin", "-"}, "",
                                    {{"VOLCRYPT_PROGRAM", VOLCRYPT_BINARY}});
  EXPECT_EQ(other.exit_code, 0);
  EXPECT_EQ(other.out, "");
}

TEST_F(HostDevices, BadRequestsAreNamed) {
  ProcessResult r = volcrypt({"prepare", "--key-dir", "/nonexistent"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "volcrypt: error: give exactly one of --domain and --domain-xml\n");
  r = volcrypt({"release", "--domain-xml", "-"}, "<domain><name>x</name>");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("volcrypt: error: the domain XML is not well-formed"));
  r = volcrypt({"release", "--domain-xml", "-", "--target", "sdq"},
               "<domain><name>x</name></domain>");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.err, "volcrypt: error: no volcrypt record for target 'sdq'\n");
}

}  // namespace
}  // namespace volcrypt::test
