// Network volumes against the real services the suite starts on 127.0.0.1
// (tests/support/network-storage): a Ceph RBD image, an iSCSI LUN on tgtd and an NBD
// export of qemu-nbd, each with LUKS on top, reached by QEMU itself. The guest's disk
// reads the plaintext, the storage holds none, and the deployer's Ceph secret is never
// touched.
#include <gmock/gmock.h>
#include <libvirt/libvirt.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "integration_test.hpp"
#include "migration_fixture.hpp"
#include "network_storage.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kPattern = 0xab;
constexpr uint64_t kImageBytes = 64ull << 20;
const std::string kReadMiB = "read 1048576/1048576 bytes at offset 0";

// Whether `bytes` hold a run of 4 KiB of `pattern`: plaintext the test wrote.
bool holds_plaintext(const std::vector<uint8_t>& bytes, int pattern) {
  const std::vector<uint8_t> run(4096, static_cast<uint8_t>(pattern));
  return std::search(bytes.begin(), bytes.end(), run.begin(), run.end()) != bytes.end();
}

// The deployer's Ceph secret as libvirt describes it (never its value): a test checks
// that volcrypt left it exactly as it was.
std::string ceph_secret_state(virConnectPtr connection) {
  const std::string uuid = network_storage().ceph_secret_uuid;
  return secret_xml(connection, uuid);
}

class NetworkVolumes : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    storage = &network_storage();
    ASSERT_FALSE(storage->ceph_secret_uuid.empty()) << "the storage fixture defined no Ceph secret";
    ceph_secret_before = ceph_secret_state(connection->get());
  }

  void TearDown() override {
    // Whatever a test did, the deployer's secret is as it was.
    EXPECT_EQ(ceph_secret_state(connection->get()), ceph_secret_before);
    IntegrationTest::TearDown();
  }

  // A LUKS1 image made as Cinder makes them (qemu-img) whose first MiB of plaintext,
  // written through QEMU's LUKS, is kPattern.
  RbdImage luks1_image(const std::string& name) {
    RbdImage image =
        RbdImage::encrypted(unique(name), kImageBytes, RbdEncryption::qemu_luks1, passphrase_file);
    qemu_io_network(qemu_volume(image), QemuDecryption::qemu_luks, passphrase_file,
                    {"write -P " + std::to_string(kPattern) + " 0 1M"});
    return image;
  }

  std::string monitor() const {
    return storage->mon_host + ":" + std::to_string(storage->mon_port);
  }

  // --source and the options naming the cluster, the Ceph user and the deployer's secret.
  std::vector<std::string> rbd_source(const RbdImage& image) const {
    return {"--source",    "rbd:" + image.spec(), "--monitor",     monitor(),
            "--auth-user", storage->ceph_user,    "--auth-secret", storage->ceph_secret_uuid};
  }

  // Cinder's connection_info for an RBD volume, as its RBD driver hands it to Nova.
  std::string cinder_rbd_json(const RbdImage& image, const std::string& volume_id,
                              const std::string& provider) {
    nlohmann::json document = {
        {"connection_info",
         {{"driver_volume_type", "rbd"},
          {"serial", volume_id},
          {"data",
           {{"name", image.spec()},
            {"hosts", {storage->mon_host}},
            {"ports", {std::to_string(storage->mon_port)}},
            {"cluster_name", "ceph"},
            {"auth_enabled", true},
            {"auth_username", storage->ceph_user},
            {"secret_type", "ceph"},
            {"secret_uuid", storage->ceph_secret_uuid},
            {"volume_id", volume_id},
            {"discard", true}}}}},
        {"encryption", {{"provider", provider}, {"control_location", "front-end"}}}};
    const std::string file = path(volume_id + ".json");
    test_volumes::write_file(file, document.dump());
    return file;
  }

  std::string new_volume_id(const std::string& prefix) {
    volume_ids.push_back(unique(prefix));
    return volume_ids.back();
  }

  // Attaches, checks what the guest and libvirt show, detaches, checks nothing is left.
  void attach_read_detach(const std::vector<std::string>& source, const std::string& protocol,
                          const std::string& volume_id) {
    auto domain = running_domain("net");
    std::vector<std::string> attach = {
        "attach",        "--domain",    domain->name(), "--target",   "sdb",  "--bus",
        "scsi",          "--volume-id", volume_id,      "--provider", "luks", "--passphrase-file",
        passphrase_file, "--live"};
    attach.insert(attach.end(), source.begin(), source.end());
    ProcessResult r = volcrypt(attach);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("plugin qemu-native-luks"));
    const std::string live = domain->live_xml();
    EXPECT_THAT(live, HasSubstr("<disk type='network' device='disk'>"));
    EXPECT_THAT(live, HasSubstr("protocol='" + protocol + "'"));
    expect_no_secret_in(live, "the domain XML");
    EXPECT_EQ(secrets_for_volume(connection->get(), volume_id).size(), 1u);
    EXPECT_EQ(domain->read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
    EXPECT_THAT(domain->read_pattern("sdb", 0xcd, 1 << 20),
                HasSubstr("Pattern verification failed"));

    r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  }

  // attach of `image` at sdb of `domain`, scope "--live" or "--config".
  std::vector<std::string> rbd_attach(const RbdImage& image, const std::string& domain,
                                      const std::string& volume_id, const std::string& provider,
                                      const std::string& scope) const {
    std::vector<std::string> args = {"attach",
                                     "--domain",
                                     domain,
                                     "--target",
                                     "sdb",
                                     scope,
                                     "--volume-id",
                                     volume_id,
                                     "--provider",
                                     provider,
                                     "--passphrase-file",
                                     passphrase_file};
    const auto source = rbd_source(image);
    args.insert(args.end(), source.begin(), source.end());
    return args;
  }

  // An attach of a blank image that `plugin` had the host format.
  void expect_formatted_by(const ProcessResult& r, const std::string& plugin) {
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("plugin " + plugin));
    EXPECT_THAT(r.out, HasSubstr("formatted = yes"));
    expect_no_secret_in(r);
  }

  NetworkStorage* storage = nullptr;
  std::string ceph_secret_before;
};

// The LUKS version the bytes start with ('LUKS\xba\xbe', then a big-endian version); 0 when
// they are not LUKS.
int luks_version(const std::vector<uint8_t>& raw) {
  if (raw.size() < 8 ||
      std::string(raw.begin(), raw.begin() + 6) != std::string("LUKS\xba\xbe", 6)) {
    return 0;
  }
  return raw[6] << 8 | raw[7];
}

TEST_F(NetworkVolumes, CinderRbdJsonHotAttachesALuks1ImageAndDetachLeavesOnlyTheDeployersSecret) {
  RbdImage image = luks1_image("cinder");
  EXPECT_FALSE(holds_plaintext(image.raw_bytes(), kPattern)) << "the RBD image holds plaintext";
  const std::string volume_id = new_volume_id("rbdvol");
  const std::string json = cinder_rbd_json(image, volume_id, "luks");

  ProcessResult probe = volcrypt({"probe", "--volume-json", json, "--json"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, HasSubstr("\"header\":\"LUKS1\""));

  auto domain = running_domain("rbd");
  ProcessResult r =
      volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--bus", "scsi",
                "--volume-json", json, "--passphrase-file", passphrase_file, "--live"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("plugin qemu-native-luks"));
  expect_no_secret_in(r);
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);
  const std::string live = domain->live_xml();
  EXPECT_THAT(live, HasSubstr("<disk type='network' device='disk'>"));
  EXPECT_THAT(live, HasSubstr("protocol='rbd' name='" + image.spec() + "'"));
  EXPECT_THAT(live, HasSubstr("<auth username='" + storage->ceph_user + "'>"));
  EXPECT_THAT(live, HasSubstr("<secret type='ceph' uuid='" + storage->ceph_secret_uuid + "'/>"));
  EXPECT_THAT(live, HasSubstr("<secret type='passphrase' uuid='" + secrets[0] + "'/>"));
  EXPECT_THAT(live, HasSubstr("discard='unmap'"));
  expect_no_secret_in(live, "the domain XML");
  EXPECT_THAT(volcrypt_metadata(connection->get(), domain->name(), false).value_or(""),
              HasSubstr("source=\"rbd:" + image.spec() + "\""));

  EXPECT_EQ(domain->read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
  EXPECT_THAT(domain->read_pattern("sdb", 0xcd, 1 << 20), HasSubstr("Pattern verification failed"));

  // One attachment per volume: the same image (named through the JSON) is busy elsewhere.
  auto other = running_domain("rbd2");
  r = volcrypt({"attach", "--domain", other->name(), "--target", "sdb", "--volume-json", json,
                "--passphrase-file", passphrase_file, "--live"});
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_THAT(r.err, HasSubstr("is already attached to domain '" + domain->name() + "' disk sdb"));

  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
}

// A multi-attach RBD volume (Cinder's multiattach): --shareable on both attaches, one
// volume secret shared by both disks, kept until the last detach.
TEST_F(NetworkVolumes, AShareableRbdImageAttachesToTwoDomainsAndKeepsItsSecretUntilTheLast) {
  RbdImage image = luks1_image("shared");
  const std::string volume_id = new_volume_id("sharedrbd");
  auto first = running_domain("rbd-share1");
  auto second = running_domain("rbd-share2");
  const auto attach_to = [&](const TestDomain& domain) {
    std::vector<std::string> args = {
        "attach", "--domain",          domain.name(),  "--target", "sdb",
        "--live", "--shareable",       "--volume-id",  volume_id,  "--provider",
        "luks",   "--passphrase-file", passphrase_file};
    const auto source = rbd_source(image);
    args.insert(args.end(), source.begin(), source.end());
    return volcrypt(args);
  };
  ProcessResult r = attach_to(*first);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = attach_to(*second);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const TestDomain* domain : {first.get(), second.get()}) {
    EXPECT_THAT(domain->live_xml(), HasSubstr("<shareable/>")) << domain->name();
    EXPECT_EQ(domain->read_pattern("sdb", kPattern, 1 << 20), kReadMiB) << domain->name();
  }
  const auto secrets = secrets_for_volume(connection->get(), volume_id);
  ASSERT_EQ(secrets.size(), 1u);

  r = volcrypt({"detach", "--domain", first->name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(secrets_for_volume(connection->get(), volume_id), secrets);
  EXPECT_EQ(second->read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
  r = volcrypt({"detach", "--domain", second->name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

// LUKS2 on RBD: librbd decrypts it (engine='librbd') in a domain that boots with it;
// libvirt cannot hot-plug such a disk, so a live attach is refused with that reason.
TEST_F(NetworkVolumes, Luks2ImageAttachedForBootIsDecryptedByLibrbd) {
  RbdImage image = RbdImage::encrypted(unique("luks2"), kImageBytes, RbdEncryption::librbd_luks2,
                                       passphrase_file);
  qemu_io_network(qemu_volume(image), QemuDecryption::librbd_luks2, passphrase_file,
                  {"write -P " + std::to_string(kPattern) + " 0 1M"});
  EXPECT_FALSE(holds_plaintext(image.raw_bytes(), kPattern)) << "the RBD image holds plaintext";
  const std::string volume_id = new_volume_id("luks2vol");
  std::vector<std::string> volume = rbd_source(image);
  volume.insert(volume.end(), {"--volume-id", volume_id, "--provider", "luks2", "--passphrase-file",
                               passphrase_file});

  auto running = running_domain("librbd-live");
  std::vector<std::string> live = {"attach",   "--domain", running->name(),
                                   "--target", "sdb",      "--live"};
  live.insert(live.end(), volume.begin(), volume.end());
  ProcessResult r = volcrypt(live);
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_THAT(r.err, HasSubstr("librbd-luks"));
  EXPECT_THAT(r.err, HasSubstr("libvirt cannot hot-plug a disk decrypted by librbd"));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());

  TestDomain domain(connection->get(), unique("librbd-boot"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  std::vector<std::string> config = {"attach",   "--domain", domain.name(),
                                     "--target", "sdb",      "--config"};
  config.insert(config.end(), volume.begin(), volume.end());
  r = volcrypt(config);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("plugin librbd-luks"));
  EXPECT_THAT(domain.inactive_xml(), HasSubstr("<encryption format='luks2' engine='librbd'>"));

  domain.start();
  EXPECT_EQ(domain.read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
  // librbd hides its 16 MiB LUKS2 header area from the guest.
  EXPECT_EQ(disk_capacity(connection->get(), domain.name(), "sdb"), kImageBytes - (16ull << 20));

  r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb", "--live", "--config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(domain.inactive_xml(), Not(HasSubstr("<target dev='sdb'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

TEST_F(NetworkVolumes, AWrongPassphraseIsExit4AndLeavesNothing) {
  RbdImage image = luks1_image("wrongkey");
  const std::string wrong = path("wrong.key");
  test_volumes::write_file(wrong, "not the passphrase");
  const std::string volume_id = new_volume_id("wrongvol");
  TestDomain domain(connection->get(), unique("wrongkey"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  const std::string before = domain.inactive_xml();
  std::vector<std::string> config = {"attach",     "--domain", domain.name(),       "--target",
                                     "sdb",        "--config", "--volume-id",       volume_id,
                                     "--provider", "luks",     "--passphrase-file", wrong};
  const auto source = rbd_source(image);
  config.insert(config.end(), source.begin(), source.end());
  ProcessResult r = volcrypt(config);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the passphrase is wrong for volume " + volume_id));
  EXPECT_EQ(domain.inactive_xml(), before);
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain.name(), true).has_value());
}

TEST_F(NetworkVolumes, AnAuthSecretThatIsMissingOrNotCephIsExit3NamingItAndLeavesNothing) {
  RbdImage image = luks1_image("noauth");
  auto domain = running_domain("noauth");
  const std::string volume_id = new_volume_id("noauthvol");
  const std::string missing = "0b6e2a3c-55aa-4d1e-9f00-123456789abc";
  // A volume secret is no Ceph secret.
  const std::string not_ceph = define_secret(connection->get(), new_volume_id("other"), "x");
  for (const std::string& uuid : {missing, not_ceph}) {
    ProcessResult r =
        volcrypt({"attach",        "--domain", domain->name(),      "--target",
                  "sdb",           "--live",   "--source",          "rbd:" + image.spec(),
                  "--monitor",     monitor(),  "--auth-user",       storage->ceph_user,
                  "--auth-secret", uuid,       "--volume-id",       volume_id,
                  "--provider",    "luks",     "--passphrase-file", passphrase_file});
    EXPECT_EQ(r.exit_code, 3) << r.err;
    EXPECT_THAT(r.err, HasSubstr("Ceph auth secret " + uuid + " for user '" + storage->ceph_user));
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  }
  undefine_secret_if_present(connection->get(), not_ceph);
}

// A blank image attached live with provider luks: the host formats it LUKS1 with librbd's
// own format, QEMU's LUKS driver decrypts it, and the guest reads what it wrote. A second
// attach finds it LUKS and opens it with the same passphrase.
TEST_F(NetworkVolumes, ABlankRbdImageHotAttachedWithLuksIsFormattedLuks1ByLibrbd) {
  RbdImage image = RbdImage::zeros(unique("blank1"), kImageBytes);
  const std::string volume_id = new_volume_id("blank1vol");
  auto domain = running_domain("blank-luks1");
  const std::vector<std::string> attach =
      rbd_attach(image, domain->name(), volume_id, "luks", "--live");
  ProcessResult r = volcrypt(attach);
  ASSERT_NO_FATAL_FAILURE(expect_formatted_by(r, "qemu-native-luks"));
  const std::string live = domain->live_xml();
  EXPECT_THAT(live, HasSubstr("<encryption format='luks' engine='qemu'>"));
  EXPECT_THAT(domain->write_pattern("sdb", kPattern, 1 << 20), HasSubstr("wrote 1048576/1048576"));
  EXPECT_EQ(domain->read_pattern("sdb", kPattern, 1 << 20), kReadMiB);

  const std::vector<uint8_t> raw = image.raw_bytes();
  ASSERT_EQ(luks_version(raw), 1);
  // librbd puts the data at 4 MiB (8192 sectors), aligned to the image's 4 MiB objects;
  // cryptsetup and qemu-img put it at 2 MiB.
  EXPECT_EQ(raw[104] << 24 | raw[105] << 16 | raw[106] << 8 | raw[107], 8192);
  EXPECT_EQ(disk_capacity(connection->get(), domain->name(), "sdb"), kImageBytes - (4ull << 20));
  EXPECT_FALSE(holds_plaintext(raw, kPattern)) << "the RBD image holds plaintext";

  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());

  r = volcrypt(attach);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, Not(HasSubstr("formatted")));
  EXPECT_EQ(domain->read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A blank image attached with provider luks2 for boot: librbd formats it LUKS2 and
// decrypts it once the domain starts.
TEST_F(NetworkVolumes, ABlankRbdImageAttachedWithLuks2ForBootIsFormattedLuks2ByLibrbd) {
  RbdImage image = RbdImage::zeros(unique("blank2"), kImageBytes);
  const std::string volume_id = new_volume_id("blank2vol");
  TestDomain domain(connection->get(), unique("blank-luks2"),
                    DomainOptions{.persistent = true, .start = false, .serial_log = {}});
  ProcessResult r = volcrypt(rbd_attach(image, domain.name(), volume_id, "luks2", "--config"));
  ASSERT_NO_FATAL_FAILURE(expect_formatted_by(r, "librbd-luks"));
  EXPECT_THAT(domain.inactive_xml(), HasSubstr("<encryption format='luks2' engine='librbd'>"));
  EXPECT_EQ(luks_version(image.raw_bytes()), 2);

  domain.start();
  EXPECT_THAT(domain.write_pattern("sdb", kPattern, 1 << 20), HasSubstr("wrote 1048576/1048576"));
  EXPECT_EQ(domain.read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
  EXPECT_EQ(disk_capacity(connection->get(), domain.name(), "sdb"), kImageBytes - (16ull << 20));
  EXPECT_FALSE(holds_plaintext(image.raw_bytes(), kPattern)) << "the RBD image holds plaintext";

  r = volcrypt({"detach", "--domain", domain.name(), "--target", "sdb", "--live", "--config"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

// Nothing is formatted over data: an image holding other data is exit 5, and a cipher
// librbd cannot write fails before the blank image is touched. Both stay as they were.
TEST_F(NetworkVolumes, AForeignImageAndACipherLibrbdCannotWriteLeaveTheImageAsItWas) {
  RbdImage blank = RbdImage::zeros(unique("blank"), 8ull << 20);
  RbdImage data = RbdImage::with_bytes(unique("data"), 8ull << 20, "ext4? no: someone's data");
  auto domain = running_domain("refused");
  for (const RbdImage* image : {&blank, &data}) {
    const auto before = image->raw_bytes();
    const std::string volume_id = new_volume_id("refvol");
    std::vector<std::string> attach =
        rbd_attach(*image, domain->name(), volume_id, "luks", "--live");
    attach.insert(attach.end(), {"--cipher", "serpent-xts-plain64"});
    ProcessResult r = volcrypt(attach);
    if (image == &blank) {
      EXPECT_EQ(r.exit_code, 8) << r.err;
      EXPECT_THAT(r.err, HasSubstr("librbd formats aes-xts-plain64 with a 256- or 512-bit key "
                                   "only; volume 'rbd:" +
                                   image->spec() + "' asks for serpent-xts-plain64"));
    } else {
      EXPECT_EQ(r.exit_code, 5) << r.err;
      EXPECT_THAT(r.err, HasSubstr("holds data that is not LUKS"));
    }
    EXPECT_EQ(image->raw_bytes(), before) << image->name() << " was changed";
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  }
}

// Only RBD images are formatted: a blank iSCSI LUN or NBD export is exit 6 saying so, and
// is never written to.
TEST_F(NetworkVolumes, BlankIscsiAndNbdVolumesAreRefusedAndLeftBlank) {
  const std::string lun_file = path("blank-lun.img");
  const std::string nbd_file = path("blank-nbd.img");
  for (const std::string& file : {lun_file, nbd_file}) {
    test_volumes::write_file(file, std::string(8 << 20, '\0'));
  }
  IscsiTarget target(unique("blanklun"), lun_file);
  NbdExport nbd(unique("blankexport"), nbd_file);
  const std::vector<std::pair<std::string, std::string>> volumes = {
      {"iscsi",
       "iscsi://" + target.portal() + "/" + target.iqn() + "/" + std::to_string(target.lun())},
      {"nbd", "nbd://" + nbd.host() + ":" + std::to_string(nbd.port()) + "/" + nbd.export_name()}};
  auto domain = running_domain("blank-net");
  for (const auto& [protocol, url] : volumes) {
    const std::string volume_id = new_volume_id("blanknet");
    ProcessResult r = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb", "--live",
                                "--source", url, "--volume-id", volume_id, "--provider", "luks",
                                "--passphrase-file", passphrase_file});
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_THAT(r.err, HasSubstr("blank " + protocol +
                                 " volume: a network volume is never formatted over the network; "
                                 "format it LUKS on the storage side first"));
    EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdb'")));
    EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  }
  for (const std::string& file : {lun_file, nbd_file}) {
    EXPECT_EQ(test_volumes::read_file(file), std::vector<uint8_t>(8 << 20, 0))
        << file << " was changed";
  }
}

TEST_F(NetworkVolumes, IscsiLunThroughQemusInitiator) {
  const std::string volume = make_luks1_with_pattern("iscsi.luks", kPattern);
  IscsiTarget target(unique("lun"), volume);
  attach_read_detach({"--source", "iscsi://" + target.portal() + "/" + target.iqn() + "/" +
                                      std::to_string(target.lun())},
                     "iscsi", new_volume_id("iscsivol"));
}

TEST_F(NetworkVolumes, NbdExportThroughQemu) {
  const std::string volume = make_luks1_with_pattern("nbd.luks", kPattern);
  NbdExport nbd(unique("export"), volume);
  attach_read_detach({"--source", "nbd://" + nbd.host() + ":" + std::to_string(nbd.port()) + "/" +
                                      nbd.export_name()},
                     "nbd", new_volume_id("nbdvol"));
}

// As Nova attaches an encrypted RBD volume: its own volume secret, the Ceph secret in
// <auth>, <encryption> in the disk, no record. Detach removes the disk and the volume's
// secret and leaves the Ceph secret.
TEST_F(NetworkVolumes, ANovaAttachedRbdDiskDetachesAndKeepsTheCephSecret) {
  RbdImage image = luks1_image("nova");
  auto domain = running_domain("nova-rbd");
  const std::string volume_id = new_volume_id("novarbd");
  const std::string uuid = define_secret(connection->get(), volume_id, passphrase);
  attach_disk(connection->get(), domain->name(),
              "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
              "<auth username='" +
                  storage->ceph_user + "'><secret type='ceph' uuid='" + storage->ceph_secret_uuid +
                  "'/></auth>"
                  "<source protocol='rbd' name='" +
                  image.spec() + "'><host name='" + storage->mon_host + "' port='" +
                  std::to_string(storage->mon_port) +
                  "'/></source><target dev='sdc' bus='scsi'/><serial>" + volume_id +
                  "</serial><encryption format='luks'><secret type='passphrase' uuid='" + uuid +
                  "'/></encryption></disk>");
  ASSERT_EQ(domain->read_pattern("sdc", kPattern, 1 << 20), kReadMiB);

  ProcessResult r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdc", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"plugin\":\"qemu-native-luks\",\"had_record\":false"));
  EXPECT_THAT(domain->live_xml(), Not(HasSubstr("<target dev='sdc'")));
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
}

// Cinder extends the image (rbd resize); volcrypt extend gives the guest exactly the growth.
TEST_F(NetworkVolumes, ExtendAfterAnRbdResizeGrowsTheGuestsDiskExactly) {
  RbdImage image = luks1_image("grow");
  auto domain = running_domain("rbd-grow");
  const std::string volume_id = new_volume_id("growvol");
  std::vector<std::string> attach = {
      "attach",     "--domain", domain->name(),      "--target",
      "sdb",        "--live",   "--volume-id",       volume_id,
      "--provider", "luks",     "--passphrase-file", passphrase_file};
  const auto source = rbd_source(image);
  attach.insert(attach.end(), source.begin(), source.end());
  ProcessResult r = volcrypt(attach);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const uint64_t before = disk_capacity(connection->get(), domain->name(), "sdb");
  image.resize(image.size() + (16ull << 20));

  r = volcrypt({"extend", "--domain", domain->name(), "--target", "sdb", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["volume_size"], image.size());
  EXPECT_EQ(disk_capacity(connection->get(), domain->name(), "sdb"), before + (16ull << 20));
  EXPECT_THAT(domain->read_at("sdb", before + (16ull << 20) - 4096, 4096),
              HasSubstr("read 4096/4096 bytes"));

  r = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// A batch as a compute agent writes it: a Cinder rbd volume and an NBD export, each with
// its key in the key folder, attached to one domain in one call and detached in another.
TEST_F(NetworkVolumes, ABatchAttachesAnRbdImageAndAnNbdExportAndDetachesThem) {
  RbdImage image = luks1_image("batch");
  NbdExport nbd(unique("batch"), make_luks1_with_pattern("batch-nbd.luks", kPattern));
  const std::string rbd_id = new_volume_id("batchrbd");
  const std::string nbd_id = new_volume_id("batchnbd");
  const std::string keys = path("keys");
  std::filesystem::create_directory(keys);
  for (const std::string& id : {rbd_id, nbd_id}) {
    test_volumes::write_file(keys + "/" + id, passphrase);
    std::filesystem::permissions(
        keys + "/" + id, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  auto domain = running_domain("net-batch");
  const auto cinder =
      nlohmann::json::parse(test_volumes::read_file(cinder_rbd_json(image, rbd_id, "luks")));
  const nlohmann::json batch = {
      {{"domain", domain->name()}, {"target", "sdb"}, {"volume", cinder}},
      {{"domain", domain->name()},
       {"target", "sdc"},
       {"source",
        "nbd://" + nbd.host() + ":" + std::to_string(nbd.port()) + "/" + nbd.export_name()},
       {"volume_id", nbd_id},
       {"provider", "luks"}}};
  const std::string file = path("batch.json");
  test_volumes::write_file(file, batch.dump());
  ProcessResult r = volcrypt({"attach", "--batch", file, "--passphrase-dir", keys, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto results = nlohmann::json::parse(r.out);
  ASSERT_EQ(results.size(), 2u) << r.out;
  EXPECT_EQ(results[0]["record"]["source"], "rbd:" + image.spec());
  EXPECT_EQ(results[1]["record"]["plugin"], "qemu-native-luks");
  for (const char* target : {"sdb", "sdc"}) {
    EXPECT_EQ(domain->read_pattern(target, kPattern, 1 << 20), kReadMiB) << target;
  }
  EXPECT_EQ(secrets_for_volume(connection->get(), rbd_id).size(), 1u);
  EXPECT_EQ(secrets_for_volume(connection->get(), nbd_id).size(), 1u);

  const nlohmann::json detach = {{{"domain", domain->name()}, {"target", "sdb"}},
                                 {{"domain", domain->name()}, {"target", "sdc"}}};
  test_volumes::write_file(file, detach.dump());
  r = volcrypt({"detach", "--batch", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(secrets_for_volume(connection->get(), rbd_id).empty());
  EXPECT_TRUE(secrets_for_volume(connection->get(), nbd_id).empty());
  EXPECT_FALSE(volcrypt_metadata(connection->get(), domain->name(), false).has_value());
}

// Shared storage: no --unsafe, and the destination must hold the Ceph secret first.
class NetworkMigration : public MigrationTest {};

TEST_F(NetworkMigration, ADomainWithAnRbdDiskMovesOnceTheDestinationHasTheCephSecret) {
  NetworkStorage& storage = network_storage();
  RbdImage image =
      RbdImage::encrypted(unique("mig"), kImageBytes, RbdEncryption::qemu_luks1, passphrase_file);
  qemu_io_network(qemu_volume(image), QemuDecryption::qemu_luks, passphrase_file,
                  {"write -P " + std::to_string(kPattern) + " 0 1M"});
  auto domain = running_domain("rbd-mig");
  volume_id = unique("migrbd");
  volume_ids.push_back(volume_id);
  ProcessResult r = volcrypt({"attach",
                              "--domain",
                              domain->name(),
                              "--target",
                              "sdb",
                              "--live",
                              "--source",
                              "rbd:" + image.spec(),
                              "--monitor",
                              storage.mon_host + ":" + std::to_string(storage.mon_port),
                              "--auth-user",
                              storage.ceph_user,
                              "--auth-secret",
                              storage.ceph_secret_uuid,
                              "--volume-id",
                              volume_id,
                              "--provider",
                              "luks",
                              "--passphrase-file",
                              passphrase_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  test_volumes::write_file(key_dir + "/" + volume_id, passphrase);
  const std::vector<std::string> migrate = {
      "migrate",          "--domain", domain->name(),  "--dest-uri",
      destination->uri(), "--live",   "--migrate-uri", kMigrateUri,
      "--passphrase-dir", key_dir,    "--json"};

  // The destination has no Ceph secret yet: refused before anything changed.
  r = volcrypt(migrate);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("Ceph auth secret " + storage.ceph_secret_uuid));
  EXPECT_THAT(r.err, HasSubstr("does not exist in the destination's libvirt"));
  EXPECT_TRUE(secrets_for_volume(destination->connection(), volume_id).empty());
  ASSERT_EQ(domain->read_pattern("sdb", kPattern, 1 << 20), kReadMiB);

  // The deployer defines it there (same uuid and value), as on every compute host.
  virSecretPtr here =
      virSecretLookupByUUIDString(connection->get(), storage.ceph_secret_uuid.c_str());
  ASSERT_NE(here, nullptr);
  size_t size = 0;
  unsigned char* key = virSecretGetValue(here, &size, 0);
  ASSERT_NE(key, nullptr);
  char* xml = virSecretGetXMLDesc(here, 0);
  virSecretPtr there = virSecretDefineXML(destination->connection(), xml, 0);
  ASSERT_NE(there, nullptr);
  ASSERT_EQ(virSecretSetValue(there, key, size, 0), 0);
  free(key);
  free(xml);
  virSecretFree(here);

  r = volcrypt(migrate);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto moved =
      TestDomain::existing(destination->connection(), domain->name(), destination->qemu_log_dir());
  EXPECT_EQ(moved->read_pattern("sdb", kPattern, 1 << 20), kReadMiB);
  EXPECT_EQ(secrets_for_volume(destination->connection(), volume_id).size(), 1u);
  EXPECT_TRUE(secrets_for_volume(connection->get(), volume_id).empty());
  EXPECT_FALSE(domain_exists(connection->get(), domain->name()));
  r = volcrypt(
      {"--connect", destination->uri(), "detach", "--domain", domain->name(), "--target", "sdb"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  virSecretUndefine(there);
  virSecretFree(there);
}

// Nova may name the Ceph secret by its usage (<secret type='ceph' usage=...>): libvirt
// resolves it where QEMU starts, so the destination must hold it too. Checked first: the
// refusal names the usage and changes nothing on either host.
TEST_F(NetworkMigration, ACephSecretNamedByUsageMustExistAtTheDestination) {
  NetworkStorage& storage = network_storage();
  RbdImage image = RbdImage::zeros(unique("usage"), kImageBytes);
  auto domain = running_domain("rbd-usage");
  const std::string usage = "client." + storage.ceph_user + " secret " + storage.fsid;
  attach_disk(connection->get(), domain->name(),
              "<disk type='network' device='disk'><driver name='qemu' type='raw'/>"
              "<auth username='" +
                  storage.ceph_user + "'><secret type='ceph' usage='" + usage +
                  "'/></auth><source protocol='rbd' name='" + image.spec() + "'><host name='" +
                  storage.mon_host + "' port='" + std::to_string(storage.mon_port) +
                  "'/></source><target dev='sdc' bus='scsi'/></disk>");
  const std::string before = domain->live_xml();

  ProcessResult r = volcrypt({"migrate", "--domain", domain->name(), "--dest-uri",
                              destination->uri(), "--live", "--migrate-uri", kMigrateUri});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("the ceph secret with usage '" + usage + "' of volume 'rbd:" +
                               image.spec() + "' does not exist in the destination's libvirt"));
  EXPECT_EQ(domain->live_xml(), before);
  EXPECT_FALSE(domain_exists(destination->connection(), domain->name()));
}

}  // namespace
}  // namespace volcrypt::test
