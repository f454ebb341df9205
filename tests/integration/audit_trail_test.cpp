// Each attach, detach and recover sends one line to syslog (facility authpriv) naming
// the caller, the domain, the target, the volume, the plugin and the outcome, and never
// key material. The test listens where syslog(3) writes: the /dev/log datagram socket.
#include <gmock/gmock.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

constexpr const char* kSyslogSocket = "/dev/log";

// Receives what programs send to syslog while it lives. Where a syslog daemon already
// owns /dev/log the test cannot listen without taking its messages away, so it says so.
class SyslogListener {
 public:
  SyslogListener() {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, kSyslogSocket, sizeof address.sun_path - 1);
    struct stat info {};
    if (::lstat(kSyslogSocket, &info) == 0) {
      // A socket nobody listens on was left by a killed run of this test: take it over.
      if (!S_ISSOCK(info.st_mode) || !nobody_listens(address)) return;
      ::unlink(kSyslogSocket);
    }
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
      return;
    }
    ::chmod(kSyslogSocket, 0666);
    timeval timeout{0, 200 * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  ~SyslogListener() {
    if (fd_ < 0) return;
    ::close(fd_);
    ::unlink(kSyslogSocket);
  }
  bool listening() const { return fd_ >= 0; }

  // Every message received so far.
  std::vector<std::string> drain() {
    std::vector<std::string> messages;
    char buffer[4096];
    while (true) {
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      messages.emplace_back(buffer, static_cast<size_t>(n));
    }
    return messages;
  }

 private:
  static bool nobody_listens(const sockaddr_un& address) {
    const int probe = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return false;
    const bool refused =
        ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
        errno == ECONNREFUSED;
    ::close(probe);
    return refused;
  }

  int fd_ = -1;
};

// "<PRI>..." with PRI = facility * 8 + severity.
std::string authpriv_notice_prefix() {
  return "<" + std::to_string(LOG_AUTHPRIV | LOG_NOTICE) + ">";
}

class AuditTrail : public IntegrationTest {};

TEST_F(AuditTrail, AttachDetachAndRecoverEachSendOneAuthprivLine) {
  SyslogListener syslog_socket;
  if (!syslog_socket.listening()) {
    GTEST_SKIP() << "a syslog daemon owns " << kSyslogSocket
                 << " on this host; the audit line goes there (facility authpriv)";
  }
  auto domain = running_domain("audit");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  ProcessResult attach = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb",
                                   "--source", volume, "--volume-id", volume_id, "--provider",
                                   "luks", "--passphrase-file", passphrase_file});
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  ProcessResult refused = volcrypt({"attach", "--domain", domain->name(), "--target", "sdb",
                                    "--source", volume, "--volume-id", volume_id, "--provider",
                                    "luks", "--passphrase-file", passphrase_file});
  ASSERT_EQ(refused.exit_code, 7);
  ProcessResult detach = volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"});
  ASSERT_EQ(detach.exit_code, 0) << detach.err;
  ProcessResult recover = volcrypt({"recover", "--domain", domain->name()});
  ASSERT_EQ(recover.exit_code, 0) << recover.err;

  // Only this test's lines: other volcrypt processes on the host may log meanwhile.
  std::vector<std::string> lines;
  for (auto& line : syslog_socket.drain()) {
    if (line.find(" domain=" + domain->name() + " ") != std::string::npos) lines.push_back(line);
  }
  ASSERT_EQ(lines.size(), 4u);
  const std::string who = " uid=" + std::to_string(::getuid()) + " domain=" + domain->name() +
                          " target=sdb volume=" + volume_id + " plugin=qemu-native-luks";
  for (const auto& line : lines) {
    EXPECT_THAT(line, ::testing::StartsWith(authpriv_notice_prefix()));
    EXPECT_THAT(line, HasSubstr("volcrypt["));
    expect_no_secret_in(line, "the audit line");
  }
  EXPECT_THAT(lines[0], HasSubstr(": attach" + who + " outcome=ok"));
  EXPECT_THAT(lines[1], HasSubstr(": attach uid=" + std::to_string(::getuid()) +
                                  " domain=" + domain->name() + " target=sdb volume=" + volume_id +
                                  " plugin=- outcome=failed: target 'sdb' is already in use"));
  EXPECT_THAT(lines[2], HasSubstr(": detach" + who + " outcome=ok"));
  EXPECT_THAT(lines[3], HasSubstr(": recover uid=" + std::to_string(::getuid()) + " domain=" +
                                  domain->name() + " target=- volume=- plugin=- outcome=ok ("));
}

}  // namespace
}  // namespace volcrypt::test
