#include "stdout_capture.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <stdexcept>

namespace volcrypt::conformance {

StdoutCapture::StdoutCapture() {
  int ends[2];
  if (pipe(ends) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  std::fflush(stdout);
  if (dup2(ends[1], STDOUT_FILENO) < 0) {
    throw std::runtime_error(std::string("dup2: ") + std::strerror(errno));
  }
  close(ends[1]);
  fcntl(STDOUT_FILENO, F_SETFL, fcntl(STDOUT_FILENO, F_GETFL) | O_NONBLOCK);
  fcntl(ends[0], F_SETFL, fcntl(ends[0], F_GETFL) | O_NONBLOCK);
  read_end_ = ends[0];
}

std::string StdoutCapture::take() {
  std::cout.flush();
  std::fflush(stdout);
  std::string out;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(read_end_, buffer, sizeof(buffer));
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EAGAIN: nothing more for now
    }
  }
  return out;
}

}  // namespace volcrypt::conformance
