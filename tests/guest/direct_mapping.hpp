// dm-crypt mappings made by the test itself with libcryptsetup, independently of the
// plugins: the data a volume already holds (written as another tool would), and mappings
// left by os-brick under its older names.
#pragma once

#include <string>
#include <string_view>

namespace volcrypt::guest {

// Opens the LUKS volume at path as /dev/mapper/NAME. Throws std::runtime_error.
void open_luks_mapping(const std::string& path, std::string_view passphrase,
                       const std::string& name);
// Closes /dev/mapper/NAME if it exists. Throws std::runtime_error when it cannot.
void close_mapping(const std::string& name);
std::string mapper_path(const std::string& name);

// Opens the LUKS volume, writes length bytes of pattern through it and closes it again.
void write_through_luks(const std::string& path, std::string_view passphrase, uint8_t pattern,
                        size_t length);

}  // namespace volcrypt::guest
