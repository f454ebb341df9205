#include "operations/audit_log.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>
#include <mutex>

namespace volcrypt {
namespace {

// Values come from callers: control characters would forge extra log lines, and a space
// would blur where a field ends, so both are escaped.
std::string field(const std::string& value) {
  if (value.empty()) return "-";
  std::string out;
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f || c == '\\' || c == ' ') {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// How long a line may wait for a log daemon whose queue is full. syslog(3) waits forever,
// and volcrypt sends its line while it holds a domain's and a volume's locks: a daemon
// that stopped reading would stop every volcrypt on the host.
constexpr int kLogDaemonWaitMs = 2000;
constexpr const char* kLogSocket = "/dev/log";

// The socket to the log daemon, kept between lines; -1 when none answers.
class LogDaemon {
 public:
  enum class Handed { yes, no_daemon, not_reading };

  Handed send(const std::string& datagram) {
    std::lock_guard lock(mutex_);
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (fd_ < 0 && !connect_socket()) return Handed::no_daemon;
      if (send_within_wait(datagram)) return Handed::yes;
      if (errno == EAGAIN) return Handed::not_reading;  // drop it, do not wait on
      ::close(fd_);  // the daemon went away (restarted): connect again once
      fd_ = -1;
    }
    return Handed::no_daemon;
  }

 private:
  bool connect_socket() {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, kLogSocket, sizeof address.sun_path - 1);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
      return false;
    }
    return true;
  }

  bool send_within_wait(const std::string& datagram) {
    while (true) {
      if (::send(fd_, datagram.data(), datagram.size(), MSG_NOSIGNAL) >= 0) return true;
      if (errno == EINTR) continue;
      if (errno != EAGAIN) return false;
      pollfd ready{fd_, POLLOUT, 0};
      const int polled = ::poll(&ready, 1, kLogDaemonWaitMs);
      if (polled <= 0) {
        errno = EAGAIN;
        return false;
      }
    }
  }

  std::mutex mutex_;
  int fd_ = -1;
};

// The datagram syslog(3) sends: "<PRI>Mmm dd hh:mm:ss volcrypt[PID]: LINE".
std::string datagram_of(const std::string& line) {
  char stamp[32] = {};
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  ::localtime_r(&now, &local);
  std::strftime(stamp, sizeof stamp, "%b %e %T", &local);
  return "<" + std::to_string(LOG_AUTHPRIV | LOG_NOTICE) + ">" + stamp + " volcrypt[" +
         std::to_string(::getpid()) + "]: " + line;
}

}  // namespace

std::string audit_line(const AuditEntry& entry, unsigned uid) {
  std::string outcome;
  for (unsigned char c : entry.outcome) outcome += (c < 0x20 || c == 0x7f) ? ' ' : char(c);
  return entry.operation + " uid=" + std::to_string(uid) + " domain=" + field(entry.domain) +
         " target=" + field(entry.target) + " volume=" + field(entry.volume_id) +
         " plugin=" + field(entry.plugin) + " outcome=" + outcome;
}

void audit(const AuditEntry& entry) {
  static LogDaemon daemon;
  const std::string line = audit_line(entry, ::getuid());
  // No daemon at all is a host without syslog, where the line goes nowhere as with
  // syslog(3); one that does not take it within the wait is not reading: the operation
  // goes on, and says so.
  if (daemon.send(datagram_of(line)) == LogDaemon::Handed::not_reading) {
    std::cerr << "volcrypt: warning: the log daemon at " << kLogSocket
              << " did not take the audit line within " << kLogDaemonWaitMs << " ms: " << line
              << "\n";
  }
}

}  // namespace volcrypt
