// Plain reads and writes on a file or block device (a /dev/mapper mapping, a loop device),
// as a guest would do them, so that tests check the real bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace volcrypt::guest {

// Writes length bytes of pattern at offset and flushes them to the device.
// Throws std::runtime_error naming the device.
void write_pattern(const std::string& device, uint8_t pattern, size_t length, uint64_t offset = 0);

// "" when the first length bytes are all pattern, else what differs (or why it could not
// be read), e.g. "byte 0 of /dev/mapper/crypt-loop0 is 0x00, not 0xa1".
std::string pattern_mismatch(const std::string& device, uint8_t pattern, size_t length);

std::vector<uint8_t> read_bytes(const std::string& device, size_t offset, size_t length);

// True when the file holds an aligned run of 4 KiB of pattern anywhere: plaintext that
// reached the volume unencrypted.
bool holds_plaintext_run(const std::string& file, uint8_t pattern);

bool path_exists(const std::string& path);

// A block device's size in bytes. Throws std::runtime_error naming it.
uint64_t device_size(const std::string& device);

// What an operator does when the file under a loop device grew or shrank: the file gets
// size bytes and the loop device is told (losetup -c). Throws std::runtime_error.
void resize_loop_file(const std::string& file, const std::string& loop, uint64_t size);

}  // namespace volcrypt::guest
