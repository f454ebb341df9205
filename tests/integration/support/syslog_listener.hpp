// Receives what programs send to syslog(3) while it lives, by listening on the /dev/log
// datagram socket: the audit lines volcrypt's operations send (facility authpriv).
#pragma once

#include <string>
#include <vector>

namespace volcrypt::test {

inline constexpr const char* kSyslogSocket = "/dev/log";

// Where a syslog daemon already owns /dev/log the test cannot listen without taking its
// messages away, so listening() says no.
class SyslogListener {
 public:
  SyslogListener();
  ~SyslogListener();
  SyslogListener(const SyslogListener&) = delete;
  SyslogListener& operator=(const SyslogListener&) = delete;
  bool listening() const { return fd_ >= 0; }

  // Every message received so far.
  std::vector<std::string> drain();

 private:
  int fd_ = -1;
};

// "<PRI>" of an authpriv notice, which every audit line starts with.
std::string authpriv_notice_prefix();

}  // namespace volcrypt::test
