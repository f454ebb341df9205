#include "second_libvirtd.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iostream>
#include <stdexcept>

#include "process.hpp"

namespace volcrypt::test {
namespace {

// A TCP port of 127.0.0.1 nobody listens on now (the kernel's choice).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot find a free TCP port on 127.0.0.1");
  }
  close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

SecondLibvirtd::SecondLibvirtd()
    : SecondLibvirtd(std::string(VOLCRYPT_SOURCE_DIR) +
                     "/tests/integration/support/second-libvirtd") {}

SecondLibvirtd::SecondLibvirtd(const std::string& script)
    : dir_("/tmp/volcrypt-second-libvirtd-" + std::to_string(getpid())), script_(script) {
  ProcessResult started =
      run_process({"bash", script_, "start", dir_, std::to_string(free_port())});
  if (started.exit_code != 0) {
    throw std::runtime_error("the second libvirtd did not start: " + started.err);
  }
  uri_ = started.out.substr(0, started.out.find('\n'));
  connection_ = std::make_unique<Connection>(uri_);
  std::cout << "second libvirtd (the destination) at " << uri_ << "\n";
}

SecondLibvirtd::~SecondLibvirtd() {
  connection_.reset();
  ProcessResult stopped = run_process({"bash", script_, "stop", dir_});
  if (stopped.exit_code != 0) std::cerr << "second libvirtd: stop failed: " << stopped.err;
}

}  // namespace volcrypt::test
