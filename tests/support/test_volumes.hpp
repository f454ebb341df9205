// Real volume files for unit tests: a scratch folder, blank and data-filled files, and
// LUKS volumes made with libcryptsetup (never with a command line that takes a passphrase).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace volcrypt::test_volumes {

// A fresh folder under /tmp (mode 0755), removed with everything in it.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // A sub-folder, mode 0755, created if missing.
  std::string folder(const std::string& name) const;

 private:
  std::filesystem::path path_;
};

// A file of size zero bytes (sparse).
void make_blank_file(const std::string& path, size_t size);
void write_file(const std::string& path, std::string_view bytes);
std::vector<uint8_t> read_file(const std::string& path);
// The permission bits (07777) of path itself, not of what a link names. Throws when it
// cannot be looked at.
mode_t mode_of(const std::string& path);

enum class LuksVersion { luks1, luks2 };

// Formats path (created blank at size bytes; 0 = 8 MiB for LUKS1, 32 MiB for LUKS2,
// room for the header and some data) with one key slot for passphrase, using PBKDF2
// with the minimum iterations so tests stay fast. Throws std::runtime_error.
void make_luks_volume(const std::string& path, LuksVersion version, std::string_view passphrase,
                      size_t size = 0);

// What libcryptsetup reads back from a LUKS header.
struct LuksDescription {
  std::string type;    // "LUKS1" or "LUKS2"
  std::string cipher;  // e.g. "aes-xts-plain64"
  int key_bits = 0;
  uint32_t slot0_iterations = 0;  // PBKDF iterations of key slot 0
  uint64_t data_offset = 0;       // bytes before the encrypted data (the header's size)
};
LuksDescription describe_luks(const std::string& path);

// True when some key slot opens with passphrase (a check only; nothing is mapped).
bool luks_passphrase_opens(const std::string& path, std::string_view passphrase);

}  // namespace volcrypt::test_volumes
