// Reading a network volume's header and size through the protocols' own libraries,
// against real servers on 127.0.0.1 that the test starts and stops itself: qemu-nbd
// (one per export) and tgtd (its own control number) over LUKS1, LUKS2, blank and
// other-data files; missing exports, targets and LUNs; servers that refuse or never
// answer.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>
#include <volcrypt/error.hpp>

#include "base/file_descriptor.hpp"
#include "expect_error.hpp"
#include "network/network_volume.hpp"
#include "network/network_volume_header.hpp"
#include "process.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

using namespace test_volumes;
using test::kHangDeadline;
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

// Waits (bounded) until pid is gone, then makes sure of it.
void wait_gone(pid_t pid) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (::kill(pid, 0) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (::kill(pid, 0) == 0) {
    ADD_FAILURE() << "process " << pid << " did not exit; killing it";
    ::kill(pid, SIGKILL);
  }
}

pid_t read_pid(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

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
  explicit VolumeFiles(const ScratchDir& dir)
      : luks1(dir.file("luks1.img")),
        luks2(dir.file("luks2.img")),
        blank(dir.file("blank.img")),
        other(dir.file("other.img")) {
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

// --- NBD ---------------------------------------------------------------------------

// qemu-nbd serving one file read-only as one export; stopped by the handle.
class NbdServer {
 public:
  NbdServer(const ScratchDir& dir, const std::string& file, const std::string& export_name)
      : port_(unserved_port()), pid_file_(dir.file("qemu-nbd-" + std::to_string(port_) + ".pid")) {
    // --fork: the command returns once the server listens.
    const auto started =
        run_process({"qemu-nbd", "--fork", "--pid-file", pid_file_, "-r", "-f", "raw", "-b",
                     "127.0.0.1", "-p", std::to_string(port_), "-x", export_name, "-t", file},
                    {}, {}, kHangDeadline);
    if (started.exit_code != 0) throw std::runtime_error("qemu-nbd: " + started.err);
  }
  ~NbdServer() {
    const pid_t pid = read_pid(pid_file_);
    if (pid <= 0) return;
    ::kill(pid, SIGTERM);
    wait_gone(pid);
  }
  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
  std::string pid_file_;
};

class NbdHeaderTest : public ::testing::Test {
 protected:
  ScratchDir dir_;
};

TEST_F(NbdHeaderTest, ReadsTheKindSizeAndPayloadOffsetOfEachExport) {
  const VolumeFiles files(dir_);
  std::vector<std::unique_ptr<NbdServer>> servers;
  expect_kinds(
      [&](const std::string& file) {
        servers.push_back(std::make_unique<NbdServer>(dir_, file, "vol1"));
        return open_volume(source_of(NetworkProtocol::nbd, "vol1", servers.back()->port()));
      },
      files);
}

TEST_F(NbdHeaderTest, NamesAMissingExport) {
  const VolumeFiles files(dir_);
  NbdServer server(dir_, files.blank, "vol1");
  const std::string where = "127.0.0.1:" + std::to_string(server.port());
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::nbd, "vol2", server.port())); }),
            "nbd://" + where + "/vol2: no such export on server " + where);
}

TEST_F(NbdHeaderTest, NamesAServerThatRefusesTheConnection) {
  const uint16_t port = unserved_port();
  const std::string where = "127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(
      error_of(ErrorKind::not_found,
               [&] { open_volume(source_of(NetworkProtocol::nbd, "vol1", port)); }),
      "nbd://" + where + "/vol1: cannot reach the NBD server " + where + ": Connection refused");
}

TEST_F(NbdHeaderTest, GivesUpOnAServerThatNeverAnswers) {
  const LoopbackSocket silent(true);
  const std::string where = "127.0.0.1:" + std::to_string(silent.port());
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::nbd, "vol1", silent.port())); }),
            "nbd://" + where + "/vol1: cannot reach the NBD server " + where +
                ": no answer within 10 seconds");
}

// --- iSCSI -------------------------------------------------------------------------

// A tgtd of the test's own (control number 7, a port nobody serves) with one target per
// file, LUN 1 each; stopped fully by the handle (targets deleted, then the daemon).
class TgtServer {
 public:
  static constexpr int kControl = 7;

  explicit TgtServer(const ScratchDir& dir) : port_(unserved_port()) {
    if (tgtadm({"--op", "show", "--mode", "system"}).exit_code == 0) {
      throw std::runtime_error("a tgtd already answers on control number 7");
    }
    const std::string pid_file = dir.file("tgtd.pid");
    // tgtd -f stays in the foreground: the shell puts it in the background and says its pid.
    const auto started = run_process({"sh", "-c",
                                      "setsid tgtd -f -C " + std::to_string(kControl) +
                                          " --iscsi portal=127.0.0.1:" + std::to_string(port_) +
                                          " </dev/null >\"$0\" 2>&1 & echo $! >\"$1\"",
                                      dir.file("tgtd.log"), pid_file},
                                     {}, {}, kHangDeadline);
    pid_ = read_pid(pid_file);
    if (started.exit_code != 0 || pid_ <= 0) throw std::runtime_error("tgtd did not start");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (tgtadm({"--op", "show", "--mode", "system"}).exit_code != 0) {
      if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("tgtd is silent");
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~TgtServer() {
    for (int tid = 1; tid <= targets_; ++tid) {
      tgtadm({"--lld", "iscsi", "--op", "delete", "--force", "--mode", "target", "--tid",
              std::to_string(tid)});
    }
    tgtadm({"--op", "delete", "--mode", "system"});
    wait_gone(pid_);
    const std::string socket = "/var/run/tgtd/socket." + std::to_string(kControl);
    std::filesystem::remove(socket);
    std::filesystem::remove(socket + ".lock");
  }
  TgtServer(const TgtServer&) = delete;
  TgtServer& operator=(const TgtServer&) = delete;

  // A new target named iqn for file, as LUN 1, open to 127.0.0.1.
  void add_target(const std::string& iqn, const std::string& file) {
    const std::string tid = std::to_string(++targets_);
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--op", "new", "--mode", "target", "--tid", tid, "-T", iqn},
             {"--op", "new", "--mode", "logicalunit", "--tid", tid, "--lun", "1", "-b", file},
             {"--op", "bind", "--mode", "target", "--tid", tid, "-I", "127.0.0.1"}}) {
      std::vector<std::string> all = {"--lld", "iscsi"};
      all.insert(all.end(), args.begin(), args.end());
      const auto done = tgtadm(all);
      if (done.exit_code != 0) throw std::runtime_error("tgtadm: " + done.err);
    }
  }
  uint16_t port() const { return port_; }

 private:
  static test::ProcessResult tgtadm(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"tgtadm", "-C", std::to_string(kControl)};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, {}, {}, kHangDeadline);
  }

  uint16_t port_;
  pid_t pid_ = 0;
  int targets_ = 0;
};

class IscsiHeaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    files_ = new VolumeFiles(*dir_);
    server_ = new TgtServer(*dir_);
    for (const char* kind : {"luks1", "luks2", "blank", "other"}) {
      server_->add_target(iqn(kind), dir_->file(std::string(kind) + ".img"));
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete files_;
    delete dir_;
  }
  static std::string iqn(const std::string& kind) {
    return "iqn.2026-12.org.volcrypt.test:" + kind;
  }
  static NetworkSource source(const std::string& name) {
    return source_of(NetworkProtocol::iscsi, name, server_->port());
  }
  static std::string where() { return "127.0.0.1:" + std::to_string(server_->port()); }

  static ScratchDir* dir_;
  static VolumeFiles* files_;
  static TgtServer* server_;
};

ScratchDir* IscsiHeaderTest::dir_ = nullptr;
VolumeFiles* IscsiHeaderTest::files_ = nullptr;
TgtServer* IscsiHeaderTest::server_ = nullptr;

TEST_F(IscsiHeaderTest, ReadsTheKindSizeAndPayloadOffsetOfEachLun) {
  expect_kinds(
      [&](const std::string& file) {
        const std::string kind = std::filesystem::path(file).stem();
        return open_volume(source(iqn(kind) + "/1"));
      },
      *files_);
}

TEST_F(IscsiHeaderTest, NamesAMissingLun) {
  const std::string name = iqn("luks1") + "/2";
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open_volume(source(name)); }),
            "iscsi://" + where() + "/" + name + ": no such LUN");
}

TEST_F(IscsiHeaderTest, NamesAMissingTarget) {
  const std::string name = iqn("missing") + "/1";
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open_volume(source(name)); }),
            "iscsi://" + where() + "/" + name + ": no such target on portal " + where());
}

TEST_F(IscsiHeaderTest, NamesAPortalThatRefusesTheConnection) {
  const uint16_t port = unserved_port();
  const std::string at = "127.0.0.1:" + std::to_string(port);
  const std::string name = iqn("luks1") + "/1";
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::iscsi, name, port)); }),
            "iscsi://" + at + "/" + name + ": cannot reach the iSCSI portal " + at);
}

TEST_F(IscsiHeaderTest, GivesUpOnAPortalThatNeverAnswers) {
  const LoopbackSocket silent(true);
  const std::string at = "127.0.0.1:" + std::to_string(silent.port());
  const std::string name = iqn("luks1") + "/1";
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_volume(source_of(NetworkProtocol::iscsi, name, silent.port())); }),
            "iscsi://" + at + "/" + name + ": login to the iSCSI portal " + at +
                " failed: command timed out");
}

// --- Ceph RBD ----------------------------------------------------------------------

// A single-node Ceph of the suite's own (tests/support/network-storage), its client
// user's key as the deployer's libvirt secret holds it (decoded), and one image of each
// kind: raw blank and raw data, LUKS1 and LUKS2 in librbd's own format (`rbd encryption
// format`), and a LUKS1 volume made by libcryptsetup imported as is.
class RbdHeaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    storage_ = dir_->folder("storage");
    const auto started = script("start");
    if (started.exit_code != 0) {
      FAIL() << "network-storage start: " << started.out << started.err;
    }
    std::ifstream env(storage_ + "/env");
    for (std::string line; std::getline(env, line);) {
      const auto equals = line.find('=');
      if (equals != std::string::npos) env_[line.substr(0, equals)] = line.substr(equals + 1);
    }
    const std::string key_file = dir_->file("key.base64");
    write_file(key_file, env_["CEPH_KEY"]);
    const auto decoded = run_process({"base64", "-d", key_file}, {}, {}, kHangDeadline);
    key_ = decoded.out;

    const std::string passphrase = dir_->file("passphrase");
    write_file(passphrase, "passphrase");
    const std::string luks1 = dir_->file("cryptsetup-luks1.img");
    const std::string other = dir_->file("other.img");
    make_luks_volume(luks1, LuksVersion::luks1, "passphrase", kVolumeBytes);
    cryptsetup_luks1_offset_ = describe_luks(luks1).data_offset;
    make_blank_file(other, kVolumeBytes);
    std::fstream(other, std::ios::in | std::ios::out | std::ios::binary) << "#!/bin/sh\n";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"create", "--size", "64M", "volumes/blank"},
             {"import", other, "volumes/other"},
             {"import", luks1, "volumes/cryptsetup-luks1"},
             {"create", "--size", "64M", "volumes/librbd-luks1"},
             {"encryption", "format", "volumes/librbd-luks1", "luks1", passphrase},
             {"create", "--size", "64M", "volumes/librbd-luks2"},
             {"encryption", "format", "volumes/librbd-luks2", "luks2", passphrase}}) {
      std::vector<std::string> argv = {"rbd", "--conf", env_["CEPH_CONF"], "--id", "volcrypt"};
      argv.insert(argv.end(), args.begin(), args.end());
      const auto done = run_process(argv, {}, {}, kHangDeadline);
      ASSERT_EQ(done.exit_code, 0) << args[0] << ": " << done.err;
    }
  }
  static void TearDownTestSuite() {
    const auto stopped = script("stop");
    EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
    delete dir_;
  }
  static test::ProcessResult script(const std::string& command) {
    return run_process({VOLCRYPT_SOURCE_DIR "/tests/support/network-storage", command, storage_},
                       {}, {}, kHangDeadline);
  }

  // pool/image on the suite's monitor, as Nova names it: monitor, user and key given.
  static NetworkSource source(const std::string& name) {
    NetworkSource source;
    source.protocol = NetworkProtocol::rbd;
    source.name = name;
    source.hosts = {NetworkHost{env_["CEPH_MON_HOST"],
                                static_cast<uint16_t>(std::stoi(env_["CEPH_MON_PORT"]))}};
    source.auth_username = env_["CEPH_USER"];
    return source;
  }
  static NetworkCredentials credentials(const std::string& key) {
    NetworkCredentials credentials{SecureBytes(key.size()), std::nullopt};
    std::copy(key.begin(), key.end(), credentials.secret.data());
    return credentials;
  }
  static std::unique_ptr<NetworkVolume> open(const std::string& name) {
    return open_network_volume(source(name), credentials(key_));
  }
  static std::string monitor() { return env_["CEPH_MON_HOST"] + ":" + env_["CEPH_MON_PORT"]; }

  static ScratchDir* dir_;
  static std::string storage_;
  static std::map<std::string, std::string> env_;
  static std::string key_;
  static uint64_t cryptsetup_luks1_offset_;
};

ScratchDir* RbdHeaderTest::dir_ = nullptr;
std::string RbdHeaderTest::storage_;
std::map<std::string, std::string> RbdHeaderTest::env_;
std::string RbdHeaderTest::key_;
uint64_t RbdHeaderTest::cryptsetup_luks1_offset_ = 0;

TEST_F(RbdHeaderTest, ReadsTheKindSizeAndPayloadOffsetOfEachImage) {
  auto blank = open("volumes/blank");
  EXPECT_EQ(read_network_volume_header(*blank), HeaderKind::blank);
  EXPECT_EQ(network_volume_size_bytes(*blank), uint64_t{64} << 20);
  EXPECT_EQ(error_of(ErrorKind::refused_data, [&] { network_luks_payload_offset(*blank); }),
            "volume 'rbd:volumes/blank' is not LUKS");

  auto other = open("volumes/other");
  EXPECT_EQ(read_network_volume_header(*other), HeaderKind::other);
  EXPECT_EQ(network_volume_size_bytes(*other), kVolumeBytes);

  auto luks1 = open("volumes/cryptsetup-luks1");
  EXPECT_EQ(read_network_volume_header(*luks1), HeaderKind::luks1);
  EXPECT_EQ(network_volume_size_bytes(*luks1), kVolumeBytes);
  EXPECT_EQ(network_luks_payload_offset(*luks1), cryptsetup_luks1_offset_);
}

// librbd's own format keeps the image's size and aligns its header to the image's 4 MiB
// objects: the guest of a 64 MiB image sees 60 MiB with LUKS1 and 48 MiB with LUKS2
// (qemu-img info with encrypt.format says the same).
TEST_F(RbdHeaderTest, ReadsWhatLibrbdsOwnFormatHidesFromTheGuest) {
  auto luks1 = open("volumes/librbd-luks1");
  EXPECT_EQ(read_network_volume_header(*luks1), HeaderKind::luks1);
  EXPECT_EQ(network_volume_size_bytes(*luks1), uint64_t{64} << 20);
  EXPECT_EQ(network_luks_payload_offset(*luks1), uint64_t{4} << 20);

  auto luks2 = open("volumes/librbd-luks2");
  EXPECT_EQ(read_network_volume_header(*luks2), HeaderKind::luks2);
  EXPECT_EQ(network_volume_size_bytes(*luks2), uint64_t{64} << 20);
  EXPECT_EQ(network_luks_payload_offset(*luks2), uint64_t{16} << 20);
}

TEST_F(RbdHeaderTest, ReadsThroughTheCephConfAlone) {
  NetworkSource bare = source("volumes/librbd-luks2");
  bare.hosts.clear();
  NetworkCredentials from_conf = credentials(key_);
  from_conf.ceph_conf = env_["CEPH_CONF"];
  auto volume = open_network_volume(bare, from_conf);
  EXPECT_EQ(read_network_volume_header(*volume), HeaderKind::luks2);
}

TEST_F(RbdHeaderTest, NamesAMissingImageAndPool) {
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open("volumes/missing"); }),
            "rbd:volumes/missing: no such image");
  EXPECT_EQ(error_of(ErrorKind::not_found, [&] { open("nopool/blank"); }),
            "rbd:nopool/blank: no such pool");
}

TEST_F(RbdHeaderTest, NamesAKeyTheMonitorsRefuse) {
  // Another well-formed Ceph key, decoded as libvirt holds it.
  const auto other = run_process({"ceph-authtool", "--gen-print-key"}, {}, {}, kHangDeadline);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const std::string other_file = dir_->file("other-key.base64");
  write_file(other_file, other.out);
  const std::string wrong = run_process({"base64", "-d", other_file}, {}, {}, kHangDeadline).out;
  EXPECT_EQ(error_of(ErrorKind::not_found,
                     [&] { open_network_volume(source("volumes/blank"), credentials(wrong)); }),
            "rbd:volumes/blank: the Ceph monitors " + monitor() +
                " refused the key of client.volcrypt: Permission denied");
  // Bytes that are no Ceph key at all.
  const std::string garbage(key_.size(), 'x');
  EXPECT_EQ(error_of(ErrorKind::usage,
                     [&] { open_network_volume(source("volumes/blank"), credentials(garbage)); }),
            "rbd:volumes/blank: librados refused the settings or the key of client.volcrypt (a "
            "key that is not a Ceph key?): Invalid argument");
}

TEST_F(RbdHeaderTest, GivesUpOnMonitorsThatCannotBeReached) {
  NetworkSource nowhere = source("volumes/blank");
  nowhere.hosts = {NetworkHost{"127.0.0.1", unserved_port()}};
  const std::string at = "127.0.0.1:" + std::to_string(nowhere.hosts[0].port);
  EXPECT_EQ(
      error_of(ErrorKind::not_found, [&] { open_network_volume(nowhere, credentials(key_)); }),
      "rbd:volumes/blank: cannot reach the Ceph monitors " + at +
          ", or they refused the key of client.volcrypt: Connection timed out");
  // With no user (no cephx), there is no key to blame.
  nowhere.auth_username.clear();
  EXPECT_EQ(
      error_of(ErrorKind::not_found, [&] { open_network_volume(nowhere, NetworkCredentials{}); }),
      "rbd:volumes/blank: cannot reach the Ceph monitors " + at + ": Connection timed out");
}

}  // namespace
}  // namespace volcrypt
