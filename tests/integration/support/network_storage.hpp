// The network storage the tests run against, on 127.0.0.1: a single-node Ceph and tgtd
// started by tests/support/network-storage (the CTest fixture network_storage), and
// per-test RBD images, iSCSI targets and NBD exports, each removed by its handle.
// Passphrases and keys go to programs as files (--object secret,file=...), never on a
// command line.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace volcrypt::test {

// What DIR/env says about the running services.
struct NetworkStorage {
  std::string dir;
  std::string ceph_conf;  // readable by libvirt-qemu
  std::string mon_host;   // "127.0.0.1"
  int mon_port = 0;       // msgr v1, as Cinder lists it
  int mon_v2_port = 0;
  std::string mon_addrs;      // "[v2:127.0.0.1:3300,v1:127.0.0.1:6789]"
  std::string ceph_user;      // "volcrypt" (client.volcrypt)
  std::string ceph_key;       // its base64 key
  std::string ceph_key_file;  // the same key in a root-only file (for format=base64 secrets)
  std::string pool;           // "volumes"
  std::string fsid;
  // The deployer's libvirt secret (usage type ceph, usage name "client.volcrypt secret
  // FSID", value the decoded key); empty when libvirtd did not answer at start.
  std::string ceph_secret_uuid;
  int tgt_control = 0;     // tgtadm -C
  std::string tgt_host;    // "127.0.0.1"
  int tgt_port = 0;        // 3260 unless taken
  std::string tgt_portal;  // "127.0.0.1:3260"
  // The target that requires CHAP (tid 1, LUN chap_lun on the file chap_backing): only
  // chap_user with chap_password logs in. chap_secret_uuid is the deployer's libvirt
  // secret of usage type iscsi holding the password (empty when libvirtd did not answer).
  std::string chap_iqn;
  int chap_lun = 0;
  std::string chap_backing;
  std::string chap_user;
  std::string chap_password;
  std::string chap_secret_uuid;
  // "iscsi://PORTAL/IQN/LUN", as --source takes it.
  std::string chap_source() const;
};

// Writes the file's bytes at the start of the CHAP target's LUN (the rest stays as it
// was): a test puts its volume there.
void put_on_chap_lun(const std::string& file);

// The running services. Reads VOLCRYPT_NETWORK_STORAGE_DIR/env; when it is missing (the
// test binary run by hand) or its daemons are gone, starts them there and stops them
// when the process exits.
// Throws when they cannot be started.
NetworkStorage& network_storage();

enum class RbdEncryption { qemu_luks1, librbd_luks1, librbd_luks2 };

// An RBD image in the pool, removed (`rbd rm`) by the handle.
class RbdImage {
 public:
  // `bytes` of zeros.
  static RbdImage zeros(const std::string& name, uint64_t bytes);
  // `bytes` long, starting with `data` (the rest zeros).
  static RbdImage with_bytes(const std::string& name, uint64_t bytes, const std::string& data);
  // qemu_luks1: a standard LUKS1 image of `bytes` as Cinder's qemu-img makes them
  // (formatted with libcryptsetup at low PBKDF2 iterations, then `rbd import`ed).
  // librbd_*: `rbd encryption format` on a `bytes` image (librbd's own format; same size).
  static RbdImage encrypted(const std::string& name, uint64_t bytes, RbdEncryption encryption,
                            const std::string& passphrase_file);
  // The file's bytes as the image (`rbd import`), e.g. a LUKS1 volume made as for files.
  static RbdImage imported(const std::string& name, const std::string& file);

  RbdImage(RbdImage&& other) noexcept;
  RbdImage& operator=(RbdImage&&) = delete;
  RbdImage(const RbdImage&) = delete;
  ~RbdImage();

  const std::string& name() const { return name_; }
  std::string spec() const;  // "volumes/NAME"
  uint64_t size() const;     // `rbd info`
  // Makes it a blank image again: all zeros, written through QEMU's rbd driver.
  void blank_again();
  // Grows (or shrinks) the image, as `rbd resize` after a Cinder extend, with librbd's
  // rbd_resize (the admin's key from ceph.conf; one cluster connection per process).
  void resize(uint64_t bytes);
  // What the storage holds, undecrypted (`rbd export`).
  std::vector<uint8_t> raw_bytes() const;

 private:
  explicit RbdImage(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

// An iSCSI target on the test tgtd with one LUN (1) backed by a file, open to 127.0.0.1;
// deleted by the handle.
class IscsiTarget {
 public:
  // name: lowercase letters, digits, '-' and '.' (it ends the IQN).
  IscsiTarget(const std::string& name, const std::string& backing_file);
  ~IscsiTarget();
  IscsiTarget(const IscsiTarget&) = delete;
  IscsiTarget& operator=(const IscsiTarget&) = delete;

  const std::string& iqn() const { return iqn_; }
  int tid() const { return tid_; }
  int lun() const { return 1; }
  std::string portal() const;  // "127.0.0.1:PORT"

 private:
  std::string iqn_;
  int tid_ = 0;
};

// qemu-nbd serving a file (raw) as `export_name` on a free 127.0.0.1 port; the handle
// stops it.
class NbdExport {
 public:
  NbdExport(const std::string& export_name, const std::string& file);
  ~NbdExport();
  NbdExport(const NbdExport&) = delete;
  NbdExport& operator=(const NbdExport&) = delete;

  const std::string& host() const { return host_; }
  int port() const { return port_; }
  const std::string& export_name() const { return export_name_; }

 private:
  std::string host_ = "127.0.0.1";
  int port_ = 0;
  std::string export_name_;
  pid_t pid_ = -1;
};

// How QEMU opens a network volume: the --image-opts of its storage node and the
// --object secrets it needs.
struct QemuNetworkVolume {
  std::string storage_opts;          // "driver=rbd,..." / "driver=iscsi,..." / "driver=nbd,..."
  std::vector<std::string> objects;  // e.g. "secret,id=vc-ceph,file=KEYFILE,format=base64"
};
QemuNetworkVolume qemu_volume(const RbdImage& image);
QemuNetworkVolume qemu_volume(const IscsiTarget& target);
QemuNetworkVolume qemu_volume(const NbdExport& nbd);

// Who decrypts: nobody (raw), QEMU's LUKS driver on top of the storage node, or librbd
// inside the rbd driver (encrypt.format=luks|luks2; rbd only).
enum class QemuDecryption { none, qemu_luks, librbd_luks1, librbd_luks2 };

// Runs qemu-io commands (e.g. "write -P 0xab 0 1M") on the volume as QEMU sees it,
// the passphrase taken from passphrase_file. Returns qemu-io's output; throws when
// qemu-io fails or a command reports a failure.
std::string qemu_io_network(const QemuNetworkVolume& volume, QemuDecryption decryption,
                            const std::string& passphrase_file,
                            const std::vector<std::string>& commands);
// `length` bytes at `offset` as QEMU reads them (decrypted, unless none).
std::vector<uint8_t> qemu_read_network(const QemuNetworkVolume& volume, QemuDecryption decryption,
                                       const std::string& passphrase_file, uint64_t offset,
                                       size_t length);

}  // namespace volcrypt::test
