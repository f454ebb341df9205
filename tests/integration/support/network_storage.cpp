#include "network_storage.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <rbd/librbd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "hang_deadline.hpp"
#include "process.hpp"
#include "test_volumes.hpp"

namespace volcrypt::test {
namespace {

const std::string kScript = VOLCRYPT_SOURCE_DIR "/tests/support/network-storage";

std::map<std::string, std::string> read_env_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const auto equals = line.find('=');
    if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return values;
}

NetworkStorage parse_env(const std::string& dir) {
  auto env = read_env_file(dir + "/env");
  auto number = [&](const char* key) { return std::stoi(env.at(key)); };
  NetworkStorage s;
  s.dir = dir;
  s.ceph_conf = env.at("CEPH_CONF");
  s.mon_host = env.at("CEPH_MON_HOST");
  s.mon_port = number("CEPH_MON_PORT");
  s.mon_v2_port = number("CEPH_MON_V2_PORT");
  s.mon_addrs = env.at("CEPH_MON_ADDRS");
  s.ceph_user = env.at("CEPH_USER");
  s.ceph_key = env.at("CEPH_KEY");
  s.ceph_key_file = env.at("CEPH_KEY_FILE");
  s.pool = env.at("CEPH_POOL");
  s.fsid = env.at("CEPH_FSID");
  s.ceph_secret_uuid = env["CEPH_SECRET_UUID"];
  s.tgt_control = number("TGT_CONTROL");
  s.tgt_host = env.at("TGT_HOST");
  s.tgt_port = number("TGT_PORT");
  s.tgt_portal = env.at("TGT_PORTAL");
  s.chap_iqn = env.at("TGT_CHAP_IQN");
  s.chap_lun = number("TGT_CHAP_LUN");
  s.chap_backing = env.at("TGT_CHAP_BACKING");
  s.chap_user = env.at("TGT_CHAP_USER");
  s.chap_password = env.at("TGT_CHAP_PASSWORD");
  s.chap_secret_uuid = env["TGT_CHAP_SECRET_UUID"];
  return s;
}

ProcessResult run_or_throw(const std::vector<std::string>& argv) {
  ProcessResult r = run_process(argv, {}, {}, kHangDeadline);
  if (r.exit_code != 0) {
    std::string line;
    for (const auto& a : argv) line += a + " ";
    throw std::runtime_error(line + "failed (" + std::to_string(r.exit_code) + "): " + r.out +
                             r.err);
  }
  return r;
}

// Stops the services at exit when this process started them.
struct StartedHere {
  std::string dir;
  ~StartedHere() {
    if (!dir.empty()) run_process({kScript, "stop", dir}, {}, {}, kHangDeadline);
  }
};

std::vector<std::string> rbd(std::vector<std::string> args) {
  args.insert(args.begin(), {"rbd", "-c", network_storage().ceph_conf});
  return args;
}

std::string bytes_arg(uint64_t bytes) { return std::to_string(bytes) + "B"; }

std::vector<std::string> tgtadm(std::vector<std::string> args) {
  args.insert(args.begin(),
              {"tgtadm", "-C", std::to_string(network_storage().tgt_control), "--lld", "iscsi"});
  return args;
}

int free_loopback_port() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("no free port on 127.0.0.1");
  return ntohs(address.sin_port);
}

bool port_answers(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  close(fd);
  return ok;
}

// Waits up to `seconds` for pid to exit; true when it did (and was reaped).
bool reaped_within(pid_t pid, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (waitpid(pid, nullptr, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A librados connection as client.admin (its keyring named in ceph.conf), shut down on
// every path out: no librados thread outlives the call, so that forks stay safe.
class Cluster {
 public:
  Cluster() {
    if (rados_create(&cluster_, "admin") != 0) throw std::runtime_error("rados_create failed");
    const int read = rados_conf_read_file(cluster_, network_storage().ceph_conf.c_str());
    const int connected = read == 0 ? rados_connect(cluster_) : read;
    if (connected != 0) {
      rados_shutdown(cluster_);
      throw std::runtime_error("cannot connect to the test cluster: " +
                               std::string(strerror(-connected)));
    }
  }
  ~Cluster() {
    if (io_ != nullptr) rados_ioctx_destroy(io_);
    rados_shutdown(cluster_);
  }
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  rados_ioctx_t pool() {
    if (io_ == nullptr) {
      const int r = rados_ioctx_create(cluster_, network_storage().pool.c_str(), &io_);
      if (r != 0) throw std::runtime_error("no pool: " + std::string(strerror(-r)));
    }
    return io_;
  }

 private:
  rados_t cluster_ = nullptr;
  rados_ioctx_t io_ = nullptr;
};

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// The bytes of qemu-io's `read -v` dump: "OFFSET:  xx xx ... xx  ascii" lines.
std::vector<uint8_t> parse_dump(const std::string& out) {
  std::vector<uint8_t> bytes;
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() < 11 || line[8] != ':' || !is_hex(line[0])) continue;
    // Up to 16 "xx " columns; a shorter last line has an extra space after its last one.
    for (size_t column = 0; column < 16; ++column) {
      const size_t at = 11 + 3 * column;
      if (at + 2 >= line.size() || !is_hex(line[at]) || !is_hex(line[at + 1])) break;
      bytes.push_back(static_cast<uint8_t>(std::stoi(line.substr(at, 2), nullptr, 16)));
    }
  }
  return bytes;
}

}  // namespace

NetworkStorage& network_storage() {
  static StartedHere started_here;
  static std::optional<NetworkStorage> storage;
  if (storage) return *storage;
  const std::string dir = VOLCRYPT_NETWORK_STORAGE_DIR;
  // Missing (the binary run by hand) or stale (its daemons gone): start them here.
  if (access((dir + "/env").c_str(), R_OK) != 0 ||
      run_process({kScript, "status", dir}, {}, {}, kHangDeadline).exit_code != 0) {
    ProcessResult r = run_process({kScript, "start", dir}, {}, {}, kHangDeadline);
    if (r.exit_code != 0) {
      throw std::runtime_error("network-storage start " + dir + " failed: " + r.out + r.err);
    }
    started_here.dir = dir;
  }
  storage = parse_env(dir);
  return *storage;
}

std::string NetworkStorage::chap_source() const {
  return "iscsi://" + tgt_portal + "/" + chap_iqn + "/" + std::to_string(chap_lun);
}

void put_on_chap_lun(const std::string& file) {
  const auto bytes = test_volumes::read_file(file);
  // In place: tgtd keeps the file open, and the LUN keeps its size.
  std::fstream out(network_storage().chap_backing, std::ios::in | std::ios::out | std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  out.flush();
  if (!out) throw std::runtime_error("cannot write " + network_storage().chap_backing);
}

RbdImage RbdImage::zeros(const std::string& name, uint64_t bytes) {
  run_or_throw(rbd({"create", "--size", bytes_arg(bytes), network_storage().pool + "/" + name}));
  return RbdImage(name);
}

RbdImage RbdImage::with_bytes(const std::string& name, uint64_t bytes, const std::string& data) {
  test_volumes::ScratchDir scratch;
  const std::string file = scratch.file("image");
  test_volumes::make_blank_file(file, bytes);
  {
    std::fstream out(file, std::ios::in | std::ios::out | std::ios::binary);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }
  return imported(name, file);
}

RbdImage RbdImage::encrypted(const std::string& name, uint64_t bytes, RbdEncryption encryption,
                             const std::string& passphrase_file) {
  if (encryption != RbdEncryption::qemu_luks1) {
    RbdImage image = zeros(name, bytes);
    run_or_throw(
        rbd({"encryption", "format", image.spec(),
             encryption == RbdEncryption::librbd_luks1 ? "luks1" : "luks2", passphrase_file}));
    return image;
  }
  // A standard LUKS1 header as Cinder's qemu-img writes one, made with libcryptsetup at
  // fixed PBKDF2 iterations and imported: qemu-img's PBKDF timing fails ever more often
  // on a loaded host ("Unable to get accurate CPU usage"), five times in a row here.
  test_volumes::ScratchDir scratch;
  const std::string file = scratch.file("luks1");
  const auto passphrase = test_volumes::read_file(passphrase_file);
  test_volumes::make_luks_volume(
      file, test_volumes::LuksVersion::luks1,
      std::string_view(reinterpret_cast<const char*>(passphrase.data()), passphrase.size()), bytes);
  return imported(name, file);
}

RbdImage RbdImage::imported(const std::string& name, const std::string& file) {
  run_or_throw(rbd({"import", file, network_storage().pool + "/" + name}));
  return RbdImage(name);
}

RbdImage::RbdImage(RbdImage&& other) noexcept : name_(std::move(other.name_)) {
  other.name_.clear();
}

RbdImage::~RbdImage() {
  if (!name_.empty()) run_process(rbd({"rm", spec()}), {}, {}, kHangDeadline);
}

std::string RbdImage::spec() const { return network_storage().pool + "/" + name_; }

uint64_t RbdImage::size() const {
  ProcessResult r = run_or_throw(rbd({"info", "--format", "json", spec()}));
  return nlohmann::json::parse(r.out).at("size").get<uint64_t>();
}

void RbdImage::blank_again() {
  // Zeros written in place: `rbd rm` refuses an image a killed client still watches (for
  // about 30 s), and a client that never wrote holds no lock.
  qemu_io_network(qemu_volume(*this), QemuDecryption::none, "",
                  {"write -P 0 0 " + std::to_string(size())});
}

void RbdImage::resize(uint64_t bytes) {
  Cluster cluster;
  rbd_image_t image = nullptr;
  int r = rbd_open(cluster.pool(), name_.c_str(), &image, nullptr);
  if (r == 0) {
    r = rbd_resize(image, bytes);
    rbd_close(image);
  }
  if (r != 0) {
    throw std::runtime_error("resizing " + spec() + " to " + std::to_string(bytes) +
                             " bytes failed: " + strerror(-r));
  }
}

std::vector<uint8_t> RbdImage::raw_bytes() const {
  test_volumes::ScratchDir scratch;
  const std::string file = scratch.file("export");
  run_or_throw(rbd({"export", spec(), file}));
  return test_volumes::read_file(file);
}

IscsiTarget::IscsiTarget(const std::string& name, const std::string& backing_file)
    : iqn_("iqn.2026-12.org.volcrypt.test:" + name) {
  // tids are per tgtd; take the first one free (tgtadm refuses a taken one).
  ProcessResult made;
  for (int tid = 1; tid < 1000 && tid_ == 0; ++tid) {
    made = run_process(
        tgtadm({"--op", "new", "--mode", "target", "--tid", std::to_string(tid), "-T", iqn_}), {},
        {}, kHangDeadline);
    if (made.exit_code == 0) tid_ = tid;
  }
  if (tid_ == 0) throw std::runtime_error("tgtadm could not make " + iqn_ + ": " + made.err);
  try {
    const std::string tid = std::to_string(tid_);
    run_or_throw(tgtadm(
        {"--op", "new", "--mode", "logicalunit", "--tid", tid, "--lun", "1", "-b", backing_file}));
    run_or_throw(tgtadm({"--op", "bind", "--mode", "target", "--tid", tid, "-I", "127.0.0.1"}));
  } catch (...) {
    run_process(
        tgtadm({"--op", "delete", "--force", "--mode", "target", "--tid", std::to_string(tid_)}),
        {}, {}, kHangDeadline);
    throw;
  }
}

IscsiTarget::~IscsiTarget() {
  run_process(
      tgtadm({"--op", "delete", "--force", "--mode", "target", "--tid", std::to_string(tid_)}), {},
      {}, kHangDeadline);
}

std::string IscsiTarget::portal() const { return network_storage().tgt_portal; }

NbdExport::NbdExport(const std::string& export_name, const std::string& file)
    : export_name_(export_name) {
  // The free port may be taken before qemu-nbd binds it: then it exits, and we try again.
  for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
    port_ = free_loopback_port();
    const std::vector<std::string> argv = {
        "qemu-nbd", "-f",         "raw", "-b", host_, "-p", std::to_string(port_),
        "-x",       export_name_, "-t",  file};
    const pid_t pid = runner::start_in_background(argv);
    const auto deadline = std::chrono::steady_clock::now() + kHangDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
      if (port_answers(port_)) {
        pid_ = pid;
        break;
      }
      if (waitpid(pid, nullptr, WNOHANG) == pid) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (pid_ < 0 && kill(pid, 0) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      throw std::runtime_error("qemu-nbd did not listen on 127.0.0.1:" + std::to_string(port_));
    }
  }
  if (pid_ < 0) throw std::runtime_error("qemu-nbd could not serve " + file);
}

NbdExport::~NbdExport() {
  kill(pid_, SIGTERM);
  if (!reaped_within(pid_, 10)) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

QemuNetworkVolume qemu_volume(const RbdImage& image) {
  const NetworkStorage& s = network_storage();
  return {"driver=rbd,pool=" + s.pool + ",image=" + image.name() + ",conf=" + s.ceph_conf +
              ",user=" + s.ceph_user + ",key-secret=vc-ceph",
          {"secret,id=vc-ceph,format=base64,file=" + s.ceph_key_file}};
}

QemuNetworkVolume qemu_volume(const IscsiTarget& target) {
  return {"driver=iscsi,transport=tcp,portal=" + target.portal() + ",target=" + target.iqn() +
              ",lun=" + std::to_string(target.lun()),
          {}};
}

QemuNetworkVolume qemu_volume(const NbdExport& nbd) {
  return {"driver=nbd,server.type=inet,server.host=" + nbd.host() +
              ",server.port=" + std::to_string(nbd.port()) + ",export=" + nbd.export_name(),
          {}};
}

std::string qemu_io_network(const QemuNetworkVolume& volume, QemuDecryption decryption,
                            const std::string& passphrase_file,
                            const std::vector<std::string>& commands) {
  std::vector<std::string> argv = {"qemu-io"};
  for (const auto& object : volume.objects) argv.insert(argv.end(), {"--object", object});
  std::string opts = volume.storage_opts;
  if (decryption != QemuDecryption::none) {
    argv.insert(argv.end(), {"--object", "secret,id=vc-pass,file=" + passphrase_file});
  }
  if (decryption == QemuDecryption::qemu_luks) {
    // The storage node becomes the LUKS driver's `file` child.
    std::string nested = "driver=luks,key-secret=vc-pass";
    std::istringstream options(volume.storage_opts);
    for (std::string option; std::getline(options, option, ',');) nested += ",file." + option;
    opts = nested;
  } else if (decryption != QemuDecryption::none) {
    opts += std::string(",encrypt.format=") +
            (decryption == QemuDecryption::librbd_luks1 ? "luks" : "luks2") +
            ",encrypt.key-secret=vc-pass";
  }
  argv.insert(argv.end(), {"--image-opts", opts});
  for (const auto& command : commands) argv.insert(argv.end(), {"-c", command});
  ProcessResult r = run_process(argv, {}, {}, kHangDeadline);
  if (r.exit_code != 0 || r.out.find("failed") != std::string::npos) {
    throw std::runtime_error("qemu-io on " + opts + " failed: " + r.out + r.err);
  }
  return r.out;
}

std::vector<uint8_t> qemu_read_network(const QemuNetworkVolume& volume, QemuDecryption decryption,
                                       const std::string& passphrase_file, uint64_t offset,
                                       size_t length) {
  const std::string out =
      qemu_io_network(volume, decryption, passphrase_file,
                      {"read -v " + std::to_string(offset) + " " + std::to_string(length)});
  std::vector<uint8_t> bytes = parse_dump(out);
  if (bytes.size() != length) {
    throw std::runtime_error("qemu-io read " + std::to_string(length) + " bytes but dumped " +
                             std::to_string(bytes.size()));
  }
  return bytes;
}

}  // namespace volcrypt::test
