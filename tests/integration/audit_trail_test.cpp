// Each attach, detach and recover sends one line to syslog (facility authpriv) naming
// the caller, the domain, the target, the volume, the plugin and the outcome, and never
// key material. The test listens where syslog(3) writes, the /dev/log datagram socket: its
// own socket, which volcrypt finds at /dev/log in a private mount namespace.
#include <gmock/gmock.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "integration_test.hpp"
#include "syslog_listener.hpp"

namespace volcrypt::test {
namespace {

using ::testing::HasSubstr;

class AuditTrail : public IntegrationTest {};

TEST_F(AuditTrail, AttachDetachAndRecoverEachSendOneAuthprivLine) {
  SyslogListener syslog_socket(path("log"));
  launcher = syslog_socket.launcher();
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

  const std::vector<std::string> lines = syslog_socket.drain();
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

// A log daemon that stops reading (its queue full) must not stop volcrypt, which sends its
// line while it holds a domain's and a volume's locks: syslog(3) would wait forever.
TEST_F(AuditTrail, ALogDaemonThatStopsReadingDelaysNoOperationAndTheDroppedLineIsSaid) {
  const std::string socket_path = path("log");
  SyslogListener syslog_socket(socket_path);
  launcher = syslog_socket.launcher();
  // Fill the daemon's queue as a stuck one has it: nothing more goes in.
  const int filler = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  ASSERT_GE(filler, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::connect(filler, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  int queued = 0;
  while (::send(filler, "filler", 6, 0) == 6) ++queued;
  ASSERT_EQ(errno, EAGAIN);
  ::close(filler);
  ASSERT_GT(queued, 0);

  auto domain = running_domain("auditstuck");
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  const std::string volume_id = unique("vol");
  volume_ids.push_back(volume_id);
  const ProcessResult attach = volcrypt(
      {"attach", "--domain", domain->name(), "--target", "sdb", "--source", volume, "--volume-id",
       volume_id, "--provider", "luks", "--passphrase-file", passphrase_file},
      {}, kHangDeadline);
  ASSERT_FALSE(attach.hung) << attach.err;
  ASSERT_EQ(attach.exit_code, 0) << attach.err;
  EXPECT_EQ(attach.err,
            "volcrypt: warning: the log daemon at /dev/log did not take the audit "
            "line within 2000 ms: attach uid=" +
                std::to_string(::getuid()) + " domain=" + domain->name() +
                " target=sdb volume=" + volume_id + " plugin=qemu-native-luks outcome=ok\n");
  EXPECT_THAT(domain->read_pattern("sdb", 0xab, 1 << 20), HasSubstr("read 1048576/1048576"));
  const ProcessResult detach =
      volcrypt({"detach", "--domain", domain->name(), "--target", "sdb"}, {}, kHangDeadline);
  ASSERT_FALSE(detach.hung) << detach.err;
  EXPECT_EQ(detach.exit_code, 0) << detach.err;
  const std::vector<std::string> lines = syslog_socket.drain();
  EXPECT_EQ(lines.size(), static_cast<size_t>(queued)) << "only the filler was queued";
}

}  // namespace
}  // namespace volcrypt::test
