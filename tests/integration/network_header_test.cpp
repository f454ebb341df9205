// Reading a network volume's header and size through the protocols' own libraries,
// against the real services of the network_storage fixture on 127.0.0.1: RBD images
// (raw, LUKS1 made by qemu-img as Cinder makes them, librbd's own LUKS1 and LUKS2),
// iSCSI LUNs and NBD exports over LUKS1, LUKS2, blank and other-data files, a LUN behind
// CHAP; missing images, pools, targets, LUNs and exports; a refused key or CHAP login;
// servers that refuse or never answer.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>
#include <volcrypt/error.hpp>

#include "base/file_descriptor.hpp"
#include "expect_error.hpp"
#include "integration_test.hpp"
#include "network/network_volume.hpp"
#include "network/network_volume_header.hpp"
#include "network/rbd_format.hpp"
#include "network_storage.hpp"
#include "process.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using namespace test_volumes;
using test::kHangDeadline;
using test::network_storage;
using test::run_process;
using test_support::error_of;

constexpr uint64_t kVolumeBytes = 16 << 20;

// A TCP socket on 127.0.0.1 at a port the kernel picked: listening (a server that
// accepts connections and never says a word) or closed again (a port nobody serves).
class LoopbackSocket {
 public:
  explicit LoopbackSocket(bool listen) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_.get() < 0 || ::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        (listen && ::listen(fd_.get(), 8) != 0)) {
      throw std::runtime_error("cannot make a loopback socket");
    }
    port_ = ntohs(address.sin_port);
    if (!listen) fd_ = FileDescriptor();
  }
  uint16_t port() const { return port_; }

 private:
  FileDescriptor fd_;
  uint16_t port_ = 0;
};

uint16_t unserved_port() { return LoopbackSocket(false).port(); }

NetworkSource source_of(NetworkProtocol protocol, const std::string& name, uint16_t port) {
  NetworkSource source;
  source.protocol = protocol;
  source.name = name;
  source.hosts = {NetworkHost{"127.0.0.1", port}};
  return source;
}

std::unique_ptr<NetworkVolume> open_volume(const NetworkSource& source) {
  return open_network_volume(source, NetworkCredentials{});
}

// The four kinds of volume, as files of kVolumeBytes.
struct VolumeFiles {
  explicit VolumeFiles(const std::function<std::string(const std::string&)>& path)
      : luks1(path("luks1.img")),
        luks2(path("luks2.img")),
        blank(path("blank.img")),
        other(path("other.img")) {
    make_luks_volume(luks1, LuksVersion::luks1, "passphrase", kVolumeBytes);
    make_luks_volume(luks2, LuksVersion::luks2, "passphrase", kVolumeBytes);
    make_blank_file(blank, kVolumeBytes);
    make_blank_file(other, kVolumeBytes);
    std::fstream(other, std::ios::in | std::ios::out | std::ios::binary) << "#!/bin/sh\n";
  }
  std::string luks1, luks2, blank, other;
};

// What each kind must read as over the network: its kind, size and payload offset.
void expect_kinds(const std::function<std::unique_ptr<NetworkVolume>(const std::string&)>& open,
                  const VolumeFiles& files) {
  auto luks1 = open(files.luks1);
  EXPECT_EQ(read_network_volume_header(*luks1), HeaderKind::luks1);
  EXPECT_EQ(network_volume_size_bytes(*luks1), kVolumeBytes);
  EXPECT_EQ(network_luks_payload_offset(*luks1), describe_luks(files.luks1).data_offset);

  auto luks2 = open(files.luks2);
  EXPECT_EQ(read_network_volume_header(*luks2), HeaderKind::luks2);
  EXPECT_EQ(network_volume_size_bytes(*luks2), kVolumeBytes);
  EXPECT_EQ(network_luks_payload_offset(*luks2), describe_luks(files.luks2).data_offset);

  auto blank = open(files.blank);
  EXPECT_EQ(read_network_volume_header(*blank), HeaderKind::blank);
  EXPECT_EQ(network_volume_size_bytes(*blank), kVolumeBytes);
  EXPECT_EQ(error_of(ErrorKind::refused_data, [&] { network_luks_payload_offset(*blank); }),
            "volume '" + blank->name() + "' is not LUKS");

  auto other = open(files.other);
  EXPECT_EQ(read_network_volume_header(*other), HeaderKind::other);
  std::vector<uint8_t> start(10);
  other->read(0, start);
  EXPECT_EQ(std::string(start.begin(), start.end()), "#!/bin/sh\n");
  EXPECT_EQ(error_of(ErrorKind::internal, [&] { other->read(kVolumeBytes - 4, start); }),
            other->name() + ": a read of 10 bytes at offset " + std::to_string(kVolumeBytes - 4) +
                " goes past the volume's end (" + std::to_string(kVolumeBytes) + " bytes)");
}

class NetworkHeaderTest : public test::IntegrationTest {
 protected:
  VolumeFiles files() {
    return VolumeFiles([this](const std::string& name) { return path(name); });
  }
};

// --- NBD ---------------------------------------------------------------------------

TEST_F(NetworkHeaderTest, NbdReadsTheKindSizeAndPayloadOffsetOfEachExport) {
  const VolumeFiles volumes = files();
  std::vector<std::unique_ptr<test::NbdExport>> exports;
  expect_kinds(
      [&](const std::string& file) {
        exports.push_back(std::make_unique<test::NbdExport>("vol1", file));
        return open_volume(
            source_of(NetworkProtocol::nbd, "vol1", static_cast<uint16_t>(exports.back()->port())));
      },
      volumes);
}

TEST_F(NetworkHeaderTest, NbdNamesAMissingExport) {
  const VolumeFiles volumes = files();
  test::NbdExport server("vol1", volumes.blank);
  const auto port = static_cast<uint16_t>(server.port());
  const std::string where = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::nbd, "vol2", port)); }),
            "nbd://" + where + "/vol2: no such export on server " + where);
}

TEST_F(NetworkHeaderTest, NbdNamesAServerThatRefusesTheConnection) {
  const uint16_t port = unserved_port();
  const std::string where = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(
      error_of(ErrorKind::not_found,
               [&] { open_volume(source_of(NetworkProtocol::nbd, "vol1", port)); }),
      "nbd://" + where + "/vol1: cannot reach the NBD server " + where + ": Connection refused");
}

TEST_F(NetworkHeaderTest, NbdGivesUpOnAServerThatNeverAnswers) {
  const LoopbackSocket silent(true);
  const std::string where = "127.0.0.1:" + std::to_string(silent.port());
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::nbd, "vol1", silent.port())); }),
            "nbd://" + where + "/vol1: cannot reach the NBD server " + where +
                ": no answer within 10 seconds");
}

// --- iSCSI -------------------------------------------------------------------------

NetworkSource iscsi_source(const std::string& name) {
  return source_of(NetworkProtocol::iscsi, name, static_cast<uint16_t>(network_storage().tgt_port));
}

TEST_F(NetworkHeaderTest, IscsiReadsTheKindSizeAndPayloadOffsetOfEachLun) {
  const VolumeFiles volumes = files();
  std::vector<std::unique_ptr<test::IscsiTarget>> targets;
  expect_kinds(
      [&](const std::string& file) {
        const std::string kind = std::filesystem::path(file).stem();
        targets.push_back(std::make_unique<test::IscsiTarget>(unique(kind), file));
        return open_volume(iscsi_source(targets.back()->iqn() + "/1"));
      },
      volumes);
}

TEST_F(NetworkHeaderTest, IscsiNamesAMissingLunAndTarget) {
  const VolumeFiles volumes = files();
  const test::IscsiTarget target(unique("luns"), volumes.luks1);
  const std::string portal = target.portal();
  const std::string lun2 = target.iqn() + "/2";
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open_volume(iscsi_source(lun2)); }),
            "iscsi://" + portal + "/" + lun2 + ": no such LUN");
  const std::string missing = target.iqn() + "-missing/1";
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open_volume(iscsi_source(missing)); }),
            "iscsi://" + portal + "/" + missing + ": no such target on portal " + portal);
}

TEST_F(NetworkHeaderTest, IscsiNamesAPortalThatRefusesTheConnection) {
  const uint16_t port = unserved_port();
  const std::string at = "127.0.0.1:" + std::to_string(port);
  const std::string name = "iqn.2026-12.org.volcrypt.test:none/1";
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::iscsi, name, port)); }),
            "iscsi://" + at + "/" + name + ": cannot reach the iSCSI portal " + at);
}

TEST_F(NetworkHeaderTest, IscsiGivesUpOnAPortalThatNeverAnswers) {
  const LoopbackSocket silent(true);
  const std::string at = "127.0.0.1:" + std::to_string(silent.port());
  const std::string name = "iqn.2026-12.org.volcrypt.test:none/1";
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::iscsi, name, silent.port())); }),
            "iscsi://" + at + "/" + name + ": login to the iSCSI portal " + at +
                " failed: command timed out");
}

// The fixture's target that requires CHAP, its LUN holding a LUKS1 volume, as the core
// reaches it: the CHAP user and, as credentials, the password (or what is given).
class IscsiChapHeaderTest : public NetworkHeaderTest {
 protected:
  void SetUp() override {
    NetworkHeaderTest::SetUp();
    storage_ = &network_storage();
    volume_ = path("chap-luks1.img");
    make_luks_volume(volume_, LuksVersion::luks1, "passphrase", kVolumeBytes);
    test::put_on_chap_lun(volume_);
  }
  NetworkSource source(const std::string& user) const {
    NetworkSource source = source_of(NetworkProtocol::iscsi,
                                     storage_->chap_iqn + "/" + std::to_string(storage_->chap_lun),
                                     static_cast<uint16_t>(storage_->tgt_port));
    source.auth_username = user;
    if (!user.empty()) source.auth_secret_uuid = "5d1c4a9e-2b3f-4c6d-8e7f-0a1b2c3d4e5f";
    return source;
  }
  std::unique_ptr<NetworkVolume> open(const std::string& user, const std::string& password) const {
    NetworkCredentials credentials{SecureBytes(password.size()), std::nullopt};
    std::copy(password.begin(), password.end(), credentials.secret.data());
    return open_network_volume(source(user), credentials);
  }
  std::string name() const {
    return "iscsi://" + storage_->tgt_portal + "/" + storage_->chap_iqn + "/" +
           std::to_string(storage_->chap_lun);
  }

  test::NetworkStorage* storage_ = nullptr;
  std::string volume_;
};

TEST_F(IscsiChapHeaderTest, LogsInWithChapAndReadsTheHeader) {
  auto volume = open(storage_->chap_user, storage_->chap_password);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::luks1);
  EXPECT_EQ(network_volume_size_bytes(*volume), 64ull << 20);  // the LUN, not the file
  EXPECT_EQ(network_luks_payload_offset(*volume), describe_luks(volume_).data_offset);
}

TEST_F(IscsiChapHeaderTest, NamesTheTargetThatRefusedTheLogin) {
  const std::string target = storage_->chap_iqn + " on portal " + storage_->tgt_portal;
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open(storage_->chap_user, "not-the-password"); }),
            name() + ": the iSCSI target " + target + " refused CHAP user '" + storage_->chap_user +
                "': the password in auth secret 5d1c4a9e-2b3f-4c6d-8e7f-0a1b2c3d4e5f is not the "
                "one the target expects");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open_volume(source("")); }),
            name() + ": the iSCSI target " + target +
                " requires a CHAP login, and the volume names no CHAP user and secret");
  // A private secret's value is not ours to read: no password at all.
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open(storage_->chap_user, ""); }),
            name() + ": CHAP user '" + storage_->chap_user +
                "' has no password: its auth secret 5d1c4a9e-2b3f-4c6d-8e7f-0a1b2c3d4e5f is "
                "private or holds no value, and volcrypt logs in to read the volume's header");
}

// --- Ceph RBD ----------------------------------------------------------------------

class RbdHeaderTest : public NetworkHeaderTest {
 protected:
  void SetUp() override {
    NetworkHeaderTest::SetUp();
    storage_ = &network_storage();
    key_ = decoded_key(storage_->ceph_key_file);
  }

  // A key file's base64 decoded, as the deployer's libvirt secret holds the key.
  std::string decoded_key(const std::string& base64_file) {
    const auto decoded = run_process({"base64", "-d", base64_file}, {}, {}, kHangDeadline);
    EXPECT_EQ(decoded.exit_code, 0) << decoded.err;
    return decoded.out;
  }

  // POOL/IMAGE on the fixture's monitor, as Nova names it: monitor, user and key given.
  NetworkSource source(const std::string& name) const {
    NetworkSource source;
    source.protocol = NetworkProtocol::rbd;
    source.name = name;
    source.hosts = {NetworkHost{storage_->mon_host, static_cast<uint16_t>(storage_->mon_port)}};
    source.auth_username = storage_->ceph_user;
    return source;
  }
  static NetworkCredentials credentials(const std::string& key) {
    NetworkCredentials credentials{SecureBytes(key.size()), std::nullopt};
    std::copy(key.begin(), key.end(), credentials.secret.data());
    return credentials;
  }
  std::unique_ptr<NetworkVolume> open(const test::RbdImage& image) const {
    return open_network_volume(source(image.spec()), credentials(key_));
  }
  std::string monitor() const {
    return storage_->mon_host + ":" + std::to_string(storage_->mon_port);
  }

  test::NetworkStorage* storage_ = nullptr;
  std::string key_;
};

TEST_F(RbdHeaderTest, ReadsTheKindSizeAndPayloadOffsetOfRawAndQemuImages) {
  const auto blank = test::RbdImage::zeros(unique("blank"), 64 << 20);
  auto volume = open(blank);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::blank);
  EXPECT_EQ(network_volume_size_bytes(*volume), uint64_t{64} << 20);
  EXPECT_EQ(error_of(ErrorKind::refused_data, [&] { network_luks_payload_offset(*volume); }),
            "volume 'rbd:" + blank.spec() + "' is not LUKS");

  const auto other = test::RbdImage::with_bytes(unique("other"), kVolumeBytes, "#!/bin/sh\n");
  volume = open(other);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::other);
  EXPECT_EQ(network_volume_size_bytes(*volume), kVolumeBytes);

  // LUKS1 as Cinder makes it (qemu-img): the offset its header gives, as libcryptsetup
  // reads it from the image's raw bytes.
  const auto cinder = test::RbdImage::encrypted(unique("cinder"), kVolumeBytes,
                                                test::RbdEncryption::qemu_luks1, passphrase_file);
  volume = open(cinder);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::luks1);
  EXPECT_EQ(network_volume_size_bytes(*volume), cinder.size());
  const std::vector<uint8_t> raw = cinder.raw_bytes();
  const std::string raw_file = path("cinder.raw");
  write_file(raw_file, std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
  EXPECT_EQ(network_luks_payload_offset(*volume), describe_luks(raw_file).data_offset);
}

// librbd's own format keeps the image's size and aligns its header to the image's 4 MiB
// objects: the guest of a 64 MiB image sees 60 MiB with LUKS1 and 48 MiB with LUKS2
// (qemu-img info with encrypt.format=luks|luks2 says the same).
TEST_F(RbdHeaderTest, ReadsWhatLibrbdsOwnFormatHidesFromTheGuest) {
  const auto luks1 = test::RbdImage::encrypted(unique("rluks1"), 64 << 20,
                                               test::RbdEncryption::librbd_luks1, passphrase_file);
  auto volume = open(luks1);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::luks1);
  EXPECT_EQ(network_volume_size_bytes(*volume), uint64_t{64} << 20);
  EXPECT_EQ(network_luks_payload_offset(*volume), uint64_t{4} << 20);

  const auto luks2 = test::RbdImage::encrypted(unique("rluks2"), 64 << 20,
                                               test::RbdEncryption::librbd_luks2, passphrase_file);
  volume = open(luks2);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::luks2);
  EXPECT_EQ(network_volume_size_bytes(*volume), uint64_t{64} << 20);
  EXPECT_EQ(network_luks_payload_offset(*volume), uint64_t{16} << 20);
}

// The host's format (format_volume) re-reads all that librbd's header will cover: data
// past the first 4 MiB, where the header reader still calls the image blank, is refused
// and left as it was, as is a blank image too small for the header; a blank image gets
// librbd's LUKS1 with the key size asked for, which librbd then opens with the passphrase.
TEST_F(RbdHeaderTest, TheHostFormatsOnlyAnImageBlankWhereLibrbdsHeaderGoes) {
  const auto late_data = test::RbdImage::zeros(unique("late"), 32 << 20);
  test::qemu_io_network(test::qemu_volume(late_data), test::QemuDecryption::none, "",
                        {"write -P 90 5M 4k"});
  EXPECT_EQ(read_network_volume_header(*open(late_data)), HeaderKind::blank);
  const std::vector<uint8_t> before = late_data.raw_bytes();
  const std::span<const uint8_t> passphrase(
      reinterpret_cast<const uint8_t*>(this->passphrase.data()), this->passphrase.size());
  EXPECT_EQ(error_of(ErrorKind::refused_data,
                     [&] {
                       format_blank_rbd_image(source(late_data.spec()), credentials(key_), {},
                                              passphrase);
                     }),
            "rbd:" + late_data.spec() +
                " is not blank (it holds data at byte 5242880, where librbd's LUKS header would "
                "go); refusing to format it");
  EXPECT_EQ(late_data.raw_bytes(), before);

  // LUKS2's 16 MiB header area does not fit: librbd refuses before it writes.
  const auto small = test::RbdImage::zeros(unique("small"), 8 << 20);
  EXPECT_EQ(error_of(ErrorKind::internal,
                     [&] {
                       format_blank_rbd_image(source(small.spec()), credentials(key_), {true, 512},
                                              passphrase);
                     }),
            "rbd:" + small.spec() +
                ": librbd could not format it as LUKS2: No space left on device (the image is "
                "too small for its header and data)");
  EXPECT_EQ(read_network_volume_header(*open(small)), HeaderKind::blank);

  const auto blank = test::RbdImage::zeros(unique("fmt"), 32 << 20);
  format_blank_rbd_image(source(blank.spec()), credentials(key_), {false, 256}, passphrase);
  const auto volume = open(blank);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::luks1);
  EXPECT_EQ(network_luks_payload_offset(*volume), uint64_t{4} << 20);
  const std::vector<uint8_t> raw = blank.raw_bytes();
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&raw[8])), "aes");
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&raw[40])), "xts-plain64");
  EXPECT_EQ(raw[108] << 24 | raw[109] << 16 | raw[110] << 8 | raw[111], 32) << "key bytes";
  EXPECT_EQ(test::qemu_read_network(test::qemu_volume(blank), test::QemuDecryption::librbd_luks1,
                                    passphrase_file, 0, 4096)
                .size(),
            4096u);
}

TEST_F(RbdHeaderTest, ReadsThroughTheCephConfAlone) {
  const auto blank = test::RbdImage::zeros(unique("conf"), 4 << 20);
  NetworkSource bare = source(blank.spec());
  bare.hosts.clear();
  NetworkCredentials from_conf = credentials(key_);
  from_conf.ceph_conf = storage_->ceph_conf;
  EXPECT_EQ(read_network_volume_header(*open_network_volume(bare, from_conf)), HeaderKind::blank);
}

TEST_F(RbdHeaderTest, NamesAMissingImageAndPool) {
  const std::string image = storage_->pool + "/" + unique("missing");
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_network_volume(source(image), credentials(key_)); }),
            "rbd:" + image + ": no such image");
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_network_volume(source("nopool/x"), credentials(key_)); }),
            "rbd:nopool/x: no such pool");
}

TEST_F(RbdHeaderTest, NamesAKeyTheMonitorsRefuse) {
  // Another well-formed Ceph key, decoded as libvirt holds it.
  const auto other = run_process({"ceph-authtool", "--gen-print-key"}, {}, {}, kHangDeadline);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const std::string other_file = path("other-key.base64");
  write_file(other_file, other.out);
  const std::string wrong = decoded_key(other_file);
  const std::string image = storage_->pool + "/x";
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_network_volume(source(image), credentials(wrong)); }),
            "rbd:" + image + ": the Ceph monitors " + monitor() + " refused the key of client." +
                storage_->ceph_user + ": Permission denied");
  // Bytes that are no Ceph key at all.
  const std::string garbage(key_.size(), 'x');
  EXPECT_EQ(
      error_of(ErrorKind::usage, [&] { open_network_volume(source(image), credentials(garbage)); }),
      "rbd:" + image + ": librados refused the settings or the key of client." +
          storage_->ceph_user + " (a key that is not a Ceph key?): Invalid argument");
}

TEST_F(RbdHeaderTest, GivesUpOnMonitorsThatCannotBeReached) {
  NetworkSource nowhere = source(storage_->pool + "/x");
  nowhere.hosts = {NetworkHost{"127.0.0.1", unserved_port()}};
  const std::string at = "127.0.0.1:" + std::to_string(nowhere.hosts[0].port);
  EXPECT_EQ(
      error_of(ErrorKind::not_found, [&] { open_network_volume(nowhere, credentials(key_)); }),
      "rbd:" + nowhere.name + ": cannot reach the Ceph monitors " + at +
          ", or they refused the key of client." + storage_->ceph_user + ": Connection timed out");
  // With no user (no cephx), there is no key to blame.
  nowhere.auth_username.clear();
  EXPECT_EQ(
      error_of(ErrorKind::not_found, [&] { open_network_volume(nowhere, NetworkCredentials{}); }),
      "rbd:" + nowhere.name + ": cannot reach the Ceph monitors " + at + ": Connection timed out");
}

}  // namespace
}  // namespace volcrypt
