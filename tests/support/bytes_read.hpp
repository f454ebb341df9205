// How many bytes this process has read so far (read(2) and the like, from any file), as
// the kernel counts them: a test tells "refused before reading" from "read, then
// refused" by it, not by how long the call took.
#pragma once

#include <cstdint>
#include <fstream>
#include <stdexcept>
#include <string>

namespace volcrypt::test {

inline uint64_t bytes_read_by_this_process() {
  std::ifstream io("/proc/self/io");
  std::string name;
  uint64_t value = 0;
  while (io >> name >> value) {
    if (name == "rchar:") return value;
  }
  throw std::runtime_error("/proc/self/io shows no rchar");
}

}  // namespace volcrypt::test
