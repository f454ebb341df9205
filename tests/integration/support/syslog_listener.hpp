// Receives what volcrypt sends to syslog(3) (the audit lines, facility authpriv) while it
// lives: a datagram socket of the test's own, which volcrypt finds at /dev/log when it
// runs under launcher(), in a private mount namespace (tests/support/private-dev). So the
// real program's real syslog path is tested on any host, whoever owns the host's
// /dev/log (journald, rsyslog or no one), and no other program's lines are taken away.
#pragma once

#include <string>
#include <vector>

namespace volcrypt::test {

class SyslogListener {
 public:
  // Listens at socket_path, which must not exist yet.
  explicit SyslogListener(std::string socket_path);
  ~SyslogListener();
  SyslogListener(const SyslogListener&) = delete;
  SyslogListener& operator=(const SyslogListener&) = delete;

  // What volcrypt runs under (IntegrationTest::launcher) to log here.
  std::vector<std::string> launcher() const;

  // Every message received so far: those of a program that has exited are all queued.
  std::vector<std::string> drain();

 private:
  std::string path_;
  int fd_ = -1;
};

// "<PRI>" of an authpriv notice, which every audit line starts with.
std::string authpriv_notice_prefix();

}  // namespace volcrypt::test
