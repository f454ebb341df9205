#include "syslog_listener.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace volcrypt::test {
namespace {

bool nobody_listens(const sockaddr_un& address) {
  const int probe = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool refused =
      ::connect(probe, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 &&
      errno == ECONNREFUSED;
  ::close(probe);
  return refused;
}

}  // namespace

SyslogListener::SyslogListener() {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, kSyslogSocket, sizeof address.sun_path - 1);
  struct stat info {};
  if (::lstat(kSyslogSocket, &info) == 0) {
    // A socket nobody listens on was left by a killed run of a test: take it over.
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

SyslogListener::~SyslogListener() {
  if (fd_ < 0) return;
  ::close(fd_);
  ::unlink(kSyslogSocket);
}

std::vector<std::string> SyslogListener::drain() {
  std::vector<std::string> messages;
  char buffer[4096];
  while (true) {
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    messages.emplace_back(buffer, static_cast<size_t>(n));
  }
  return messages;
}

// PRI = facility * 8 + severity.
std::string authpriv_notice_prefix() {
  return "<" + std::to_string(LOG_AUTHPRIV | LOG_NOTICE) + ">";
}

}  // namespace volcrypt::test
