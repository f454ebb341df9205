// The network storage the network volume tests stand on, proven against the real
// services (support/network_storage.hpp): for an RBD image encrypted by QEMU (LUKS1, as
// Cinder makes them) and by librbd (LUKS1, LUKS2), an iSCSI LUN and an NBD export (LUKS1
// files), QEMU reads back the plaintext written through it, and the storage itself holds
// none of it. The deployer's Ceph auth secret is in libvirt with the client's key.
#include "network_storage.hpp"

#include <libvirt/libvirt.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "integration_test.hpp"
#include "test_volumes.hpp"

namespace volcrypt::test {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;

class NetworkStorageTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    storage = &network_storage();
    // Text no LUKS header or ciphertext holds by chance, 4 KiB of it.
    while (plaintext.size() < 4096) plaintext += "volcrypt network plaintext " + unique("p") + "\n";
    plaintext.resize(4096);
    plaintext_file = path("plaintext");
    test_volumes::write_file(plaintext_file, plaintext);
  }

  // Writes the plaintext at offset 1 MiB through QEMU and reads it back the same way.
  void write_and_read_back(const QemuNetworkVolume& volume, QemuDecryption decryption) {
    qemu_io_network(volume, decryption, passphrase_file, {"write -s " + plaintext_file + " 1M 4k"});
    const std::vector<uint8_t> read =
        qemu_read_network(volume, decryption, passphrase_file, kMiB, plaintext.size());
    EXPECT_EQ(std::string(read.begin(), read.end()), plaintext);
  }

  bool holds_plaintext(const std::vector<uint8_t>& raw) const {
    return std::search(raw.begin(), raw.end(), plaintext.begin(), plaintext.begin() + 64) !=
           raw.end();
  }

  static std::string head(const std::vector<uint8_t>& raw) {
    return std::string(raw.begin(), raw.begin() + std::min<size_t>(raw.size(), 6));
  }

  NetworkStorage* storage = nullptr;
  std::string plaintext;
  std::string plaintext_file;
};

const std::string kLuksMagic("LUKS\xba\xbe", 6);

TEST_F(NetworkStorageTest, RbdQemuLuks1ReadsThePlaintextAndStoresNone) {
  RbdImage image =
      RbdImage::encrypted(unique("qluks1"), 16 * kMiB, RbdEncryption::qemu_luks1, passphrase_file);
  write_and_read_back(qemu_volume(image), QemuDecryption::qemu_luks);
  const std::vector<uint8_t> raw = image.raw_bytes();
  EXPECT_EQ(head(raw), kLuksMagic);
  EXPECT_FALSE(holds_plaintext(raw));
}

TEST_F(NetworkStorageTest, RbdLibrbdLuks1ReadsThePlaintextAndStoresNone) {
  RbdImage image = RbdImage::encrypted(unique("rluks1"), 16 * kMiB, RbdEncryption::librbd_luks1,
                                       passphrase_file);
  write_and_read_back(qemu_volume(image), QemuDecryption::librbd_luks1);
  const std::vector<uint8_t> raw = image.raw_bytes();
  EXPECT_EQ(head(raw), kLuksMagic);
  EXPECT_FALSE(holds_plaintext(raw));
}

TEST_F(NetworkStorageTest, RbdLibrbdLuks2ReadsThePlaintextAndStoresNone) {
  RbdImage image = RbdImage::encrypted(unique("rluks2"), 32 * kMiB, RbdEncryption::librbd_luks2,
                                       passphrase_file);
  write_and_read_back(qemu_volume(image), QemuDecryption::librbd_luks2);
  const std::vector<uint8_t> raw = image.raw_bytes();
  EXPECT_EQ(head(raw), kLuksMagic);
  EXPECT_FALSE(holds_plaintext(raw));
}

TEST_F(NetworkStorageTest, RbdImageOfGivenBytesIsReadRawAndResized) {
  RbdImage image = RbdImage::with_bytes(unique("bytes"), 8 * kMiB, "not a LUKS header");
  EXPECT_EQ(image.size(), 8 * kMiB);
  const std::vector<uint8_t> read =
      qemu_read_network(qemu_volume(image), QemuDecryption::none, passphrase_file, 0, 17);
  EXPECT_EQ(std::string(read.begin(), read.end()), "not a LUKS header");
  image.resize(12 * kMiB);
  EXPECT_EQ(image.size(), 12 * kMiB);
  EXPECT_EQ(image.raw_bytes().size(), 12 * kMiB);

  RbdImage blank = RbdImage::zeros(unique("zeros"), 4 * kMiB);
  const std::vector<uint8_t> raw = blank.raw_bytes();
  EXPECT_EQ(raw.size(), 4 * kMiB);
  EXPECT_TRUE(std::all_of(raw.begin(), raw.end(), [](uint8_t b) { return b == 0; }));
}

TEST_F(NetworkStorageTest, IscsiLunReadsThePlaintextAndStoresNone) {
  const std::string file = path("lun");
  test_volumes::make_luks_volume(file, test_volumes::LuksVersion::luks1, passphrase, 8 * kMiB);
  {
    IscsiTarget target(unique("lun"), file);
    write_and_read_back(qemu_volume(target), QemuDecryption::qemu_luks);
  }
  const std::vector<uint8_t> raw = test_volumes::read_file(file);
  EXPECT_EQ(head(raw), kLuksMagic);
  EXPECT_FALSE(holds_plaintext(raw));
}

TEST_F(NetworkStorageTest, NbdExportReadsThePlaintextAndStoresNone) {
  const std::string file = path("export");
  test_volumes::make_luks_volume(file, test_volumes::LuksVersion::luks1, passphrase, 8 * kMiB);
  {
    NbdExport nbd(unique("export"), file);
    write_and_read_back(qemu_volume(nbd), QemuDecryption::qemu_luks);
  }
  const std::vector<uint8_t> raw = test_volumes::read_file(file);
  EXPECT_EQ(head(raw), kLuksMagic);
  EXPECT_FALSE(holds_plaintext(raw));
}

TEST_F(NetworkStorageTest, TheCephAuthSecretHoldsTheClientKey) {
  ASSERT_FALSE(storage->ceph_secret_uuid.empty()) << "libvirtd did not answer at start";
  virSecretPtr secret =
      virSecretLookupByUUIDString(connection->get(), storage->ceph_secret_uuid.c_str());
  ASSERT_NE(secret, nullptr);
  std::unique_ptr<virSecret, int (*)(virSecretPtr)> owned(secret, virSecretFree);
  EXPECT_EQ(virSecretGetUsageType(secret), VIR_SECRET_USAGE_TYPE_CEPH);
  EXPECT_EQ(std::string(virSecretGetUsageID(secret)), "client.volcrypt secret " + storage->fsid);
  size_t size = 0;
  unsigned char* value = virSecretGetValue(secret, &size, 0);
  ASSERT_NE(value, nullptr);
  const std::string decoded(reinterpret_cast<char*>(value), size);
  free(value);
  EXPECT_EQ(base64_text(decoded), storage->ceph_key);
}

}  // namespace
}  // namespace volcrypt::test
