#include "syslog_listener.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace volcrypt::test {

SyslogListener::SyslogListener(std::string socket_path) : path_(std::move(socket_path)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path_.size() >= sizeof address.sun_path) {
    throw std::runtime_error("syslog socket path too long: " + path_);
  }
  std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
  fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const std::string why = std::strerror(errno);
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot listen at " + path_ + ": " + why);
  }
}

SyslogListener::~SyslogListener() {
  ::close(fd_);
  ::unlink(path_.c_str());
}

std::vector<std::string> SyslogListener::launcher() const {
  return {VOLCRYPT_SOURCE_DIR "/tests/support/private-dev", "--dev-log", path_, "--"};
}

std::vector<std::string> SyslogListener::drain() {
  std::vector<std::string> messages;
  char buffer[4096];
  while (true) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
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
