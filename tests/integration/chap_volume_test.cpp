// iSCSI volumes behind CHAP, against the network_storage fixture's target that requires
// it (tests/support/network-storage): the CHAP secret (usage type iscsi) is the
// deployer's, so volcrypt checks that it exists with that usage, reads the password to
// read the header over libiscsi, hands only its uuid to libvirt, and never defines,
// changes or removes it. A Cinder auth_password is never used nor copied anywhere.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>

#include <nlohmann/json.hpp>

#include "integration_test.hpp"
#include "key_leaks.hpp"
#include "kill_points.hpp"
#include "network_storage.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kPattern = 0x3c;
const std::string kReadMiB = "read 1048576/1048576 bytes at offset 0";

// A secret of usage type iscsi holding `password`, as a deployer defines one; the caller
// removes it.
std::string define_iscsi_secret(virConnectPtr connection, const std::string& usage,
                                const std::string& password) {
  const std::string xml = "<secret ephemeral='no' private='no'><usage type='iscsi'><target>" +
                          usage + "</target></usage></secret>";
  virSecretPtr secret = virSecretDefineXML(connection, xml.c_str(), 0);
  if (secret == nullptr) throw std::runtime_error("cannot define the iscsi secret " + usage);
  const int set = virSecretSetValue(secret, reinterpret_cast<const unsigned char*>(password.data()),
                                    password.size(), 0);
  char uuid[VIR_UUID_STRING_BUFLEN] = {};
  virSecretGetUUIDString(secret, uuid);
  virSecretFree(secret);
  if (set != 0) throw std::runtime_error("cannot set the iscsi secret " + usage);
  return uuid;
}

class ChapVolumes : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    storage = &network_storage();
    ASSERT_FALSE(storage->chap_secret_uuid.empty()) << "the storage fixture defined no CHAP secret";
    chap_xml_before = secret_xml(connection->get(), storage->chap_secret_uuid);
    chap_value_before = secret_value(connection->get(), storage->chap_secret_uuid);
    put_on_chap_lun(make_luks1_with_pattern("chap.luks", kPattern));
  }

  void TearDown() override {
    // Whatever a test did, the deployer's CHAP secret is as it was: usage and value.
    EXPECT_EQ(secret_xml(connection->get(), storage->chap_secret_uuid), chap_xml_before);
    EXPECT_TRUE(secret_value(connection->get(), storage->chap_secret_uuid) == chap_value_before)
        << "the CHAP secret's value changed";
    IntegrationTest::TearDown();
  }

  std::string new_volume_id(const std::string& prefix) {
    volume_ids.push_back(unique(prefix));
    return volume_ids.back();
  }

  // A live attach of the CHAP LUN at sdb with --source and the CHAP user and secret.
  std::vector<std::string> attach_args(const TestDomain& domain, const std::string& volume_id,
                                       const std::string& secret_uuid) const {
    std::vector<std::string> args = {"attach", "--domain", domain.name(), "--target",
                                     "sdb",    "--bus",    "scsi",        "--live"};
    args.insert(args.end(), {"--source", storage->chap_source(), "--auth-user", storage->chap_user,
                             "--auth-secret", secret_uuid});
    args.insert(args.end(), {"--volume-id", volume_id, "--provider", "luks", "--passphrase-file",
                             passphrase_file});
    return args;
  }

  // Cinder's iSCSI connection_info without a device_path (QEMU's initiator), with CHAP.
  std::string cinder_iscsi_json(const std::string& volume_id, const std::string& auth_password,
                                const std::string& secret_uuid) {
    nlohmann::json data = {{"target_discovered", false},
                           {"target_portal", storage->tgt_portal},
                           {"target_iqn", storage->chap_iqn},
                           {"target_lun", storage->chap_lun},
                           {"access_mode", "rw"},
                           {"encrypted", true},
                           {"auth_method", "CHAP"},
                           {"auth_username", storage->chap_user},
                           {"auth_password", auth_password},
                           {"volume_id", volume_id}};
    if (!secret_uuid.empty()) data["secret_uuid"] = secret_uuid;
    const nlohmann::json document = {
        {"connection_info",
         {{"driver_volume_type", "iscsi"}, {"serial", volume_id}, {"data", data}}},
        {"encryption", {{"provider", "luks"}, {"control_location", "front-end"}}}};
    const std::string file = path(volume_id + ".json");
    test_volumes::write_file(file, document.dump());
    return file;
  }

  // The disk QEMU logged in to with CHAP: the guest reads the plaintext.
  void expect_attached(const TestDomain& domain, const std::string& volume_id) {
    const std::string live = domain.live_xml();
    EXPECT_THAT(live, HasSubstr("protocol='iscsi' name='" + storage->chap_iqn + "/" +
                                std::to_string(storage->chap_lun) + "'"));
    EXPECT_THAT(live, HasSubstr("<auth username='" + storage->chap_user + "'>"));
    EXPECT_THAT(live, HasSubstr("<secret type='iscsi' uuid='" + storage->chap_secret_uuid + "'/>"));
    EXPECT_THAT(live, Not(HasSubstr(storage->chap_password)));
    expect_no_secret_in(live, "the domain XML");
    EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
    EXPECT_EQ(domain.read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
    EXPECT_THAT(domain.read_pattern("sdb", 0xcd, 1 << 20),
                HasSubstr("Pattern verification failed"));
  }

  void expect_detached(const TestDomain& domain, const std::string& volume_id) {
    const ProcessResult r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(domain.live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), false).has_value());
  }

  // A refused attach changed nothing: the domain as it was, no volume secret, no record.
  void expect_nothing_changed(const TestDomain& domain, const std::string& xml_before,
                              const std::string& volume_id) {
    EXPECT_EQ(domain.live_xml(), xml_before);
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
    EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), false).has_value());
  }

  NetworkStorage* storage = nullptr;
  std::string chap_xml_before;
  std::string chap_value_before;
};

TEST_F(ChapVolumes, ASourceWithTheChapUserAndSecretHotAttachesAndDetachKeepsTheChapSecret) {
  // The header is read over libiscsi, logged in with CHAP: the target lets no one else in.
  ProcessResult probe = volcrypt({"probe", "--source", storage->chap_source(), "--auth-user",
                                  storage->chap_user, "--auth-secret", storage->chap_secret_uuid,
                                  "--volume-id", unique("probe"), "--provider", "luks", "--json"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, HasSubstr("\"header\":\"LUKS1\""));

  auto domain = running_domain("chap");
  const std::string volume_id = new_volume_id("chapvol");
  ProcessResult r = volcrypt(attach_args(*domain, volume_id, storage->chap_secret_uuid));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("plugin qemu-native-luks"));
  expect_no_secret_in(r);
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(storage->chap_password)));
  expect_attached(*domain, volume_id);
  EXPECT_THAT(volcrypt_metadata(connection->get(), domain->name(), false).value_or(""),
              HasSubstr("source=\"" + storage->chap_source() + "\""));
  r = volcrypt({"check", "--domain", domain->name()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_detached(*domain, volume_id);
}

// Cinder hands Nova the CHAP password in auth_password. volcrypt uses the deployer's
// secret instead: here the JSON's password is wrong and the attach still logs in, and
// that password shows up in no process's command line or environment, no output, no
// file volcrypt or libvirt writes, and not in the domain.
TEST_F(ChapVolumes, CinderIscsiJsonAttachesWithTheDeployersSecretAndNeverItsAuthPassword) {
  const std::string json_password = "wrong-chap-" + unique("password");
  auto domain = running_domain("chap-json");
  const std::string volume_id = new_volume_id("chapjson");
  const std::string json = cinder_iscsi_json(volume_id, json_password, storage->chap_secret_uuid);
  const TracedRun run =
      run_traced({VOLCRYPT_BINARY, "attach", "--domain", domain->name(), "--target", "sdb", "--bus",
                  "scsi", "--live", "--volume-json", json, "--passphrase-file", passphrase_file});
  ASSERT_EQ(run.result.exit_code, 0) << run.result.err;
  expect_no_secret_in(run.result);
  for (const std::string& password : {json_password, storage->chap_password}) {
    EXPECT_TRUE(views_holding(run, password).empty()) << "a process showed a CHAP password";
    EXPECT_THAT(run.result.out + run.result.err, Not(HasSubstr(password)));
    EXPECT_TRUE(files_holding(host_files_to_search({domain->name()}), password).empty())
        << "a file holds a CHAP password";
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr(password)));
  }
  expect_attached(*domain, volume_id);
  expect_detached(*domain, volume_id);
}

// Without a secret the JSON's password could only be taken as it is: refused, exit 2,
// saying why, before anything is made.
TEST_F(ChapVolumes, ACinderAuthPasswordWithoutASecretUuidIsRefusedBeforeAnythingIsMade) {
  auto domain = running_domain("chap-nosecret");
  const std::string before = domain->live_xml();
  const std::string volume_id = new_volume_id("chapnosecret");
  const std::string json = cinder_iscsi_json(volume_id, storage->chap_password, "");
  ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--live",
                              "--volume-json", json, "--passphrase-file", passphrase_file});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, HasSubstr("CHAP user '" + storage->chap_user +
                               "' comes with connection_info.data.auth_password but no "
                               "secret_uuid (or --auth-secret): volcrypt never uses a password "
                               "from JSON"));
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(storage->chap_password)));
  expect_nothing_changed(*domain, before, volume_id);
}

TEST_F(ChapVolumes, AChapSecretThatIsMissingOrOfAnotherUsageIsExit3NamingItAndChangesNothing) {
  auto domain = running_domain("chap-nouse");
  const std::string before = domain->live_xml();
  const std::string volume_id = new_volume_id("chapnouse");
  const std::string missing = "7e1d2c3b-4a59-4687-9a0b-1c2d3e4f5a6b";
  // A volume secret and the deployer's Ceph secret are no CHAP secrets.
  const std::string volume_secret = define_secret(connection->get(), new_volume_id("other"), "x");
  const std::string ceph = network_storage().ceph_secret_uuid;
  const std::string ceph_before = secret_xml(connection->get(), ceph);
  const std::string volume_secret_before = secret_xml(connection->get(), volume_secret);
  for (const auto& [uuid, why] : std::vector<std::pair<std::string, std::string>>{
           {missing,
            "does not exist in libvirt: the deployer defines it (usage type iscsi); "
            "volcrypt never does"},
           {volume_secret, "has usage type 'volume', not 'iscsi'"},
           {ceph, "has usage type 'ceph', not 'iscsi'"}}) {
    ProcessResult r = volcrypt(attach_args(*domain, volume_id, uuid));
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_THAT(r.err,
                HasSubstr("the CHAP auth secret " + uuid + " for user '" + storage->chap_user +
                          "' of volume '" + storage->chap_source() + "'"));
    EXPECT_THAT(r.err, HasSubstr(why));
    expect_nothing_changed(*domain, before, volume_id);
  }
  EXPECT_EQ(secret_xml(connection->get(), ceph), ceph_before);
  EXPECT_EQ(secret_xml(connection->get(), volume_secret), volume_secret_before);
  undefine_secret_if_present(connection->get(), volume_secret);
}

// The deployer's secret holds another password than the target's: the login is refused
// while the header is read, before anything is made, and the error names the target.
TEST_F(ChapVolumes, AWrongChapPasswordNamesTheTargetAndLeavesNothing) {
  auto domain = running_domain("chap-wrong");
  const std::string before = domain->live_xml();
  const std::string volume_id = new_volume_id("chapwrong");
  const std::string wrong =
      define_iscsi_secret(connection->get(), unique("chap-wrong"), "not-the-chap-password");
  ProcessResult r = volcrypt(attach_args(*domain, volume_id, wrong));
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("volcrypt: error: " + storage->chap_source() +
                               ": the iSCSI target " + storage->chap_iqn + " on portal " +
                               storage->tgt_portal + " refused CHAP user '" + storage->chap_user +
                               "': the password in auth secret " + wrong +
                               " is not the one the target expects"));
  EXPECT_THAT(r.err, Not(HasSubstr("not-the-chap-password")));
  expect_nothing_changed(*domain, before, volume_id);
  EXPECT_EQ(secret_value(connection->get(), wrong), "not-the-chap-password");
  undefine_secret_if_present(connection->get(), wrong);
}

}  // namespace
}  // namespace volcrypt::test
