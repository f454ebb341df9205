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
// Opens path as a plain (headerless) dm-crypt mapping /dev/mapper/NAME, as os-brick's
// CryptsetupEncryptor did: aes-xts-plain64, 256-bit key, passphrase hashed with sha256.
void open_plain_mapping(const std::string& path, std::string_view passphrase,
                        const std::string& name);
// Closes /dev/mapper/NAME if it exists. Throws std::runtime_error when it cannot.
void close_mapping(const std::string& name);
std::string mapper_path(const std::string& name);

// Opens the LUKS volume, writes length bytes of pattern through it and closes it again.
void write_through_luks(const std::string& path, std::string_view passphrase, uint8_t pattern,
                        size_t length);

}  // namespace volcrypt::guest
