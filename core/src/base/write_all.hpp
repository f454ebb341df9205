// Writes every byte to a file descriptor, through short writes and signals.
#pragma once

#include <string_view>

namespace volcrypt {

// False (errno set) when a write fails or writes nothing.
bool write_all(int fd, std::string_view bytes);

}  // namespace volcrypt
