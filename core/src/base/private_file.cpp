#include "base/private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <string_view>
#include <volcrypt/error.hpp>

#include "base/write_all.hpp"

namespace volcrypt {
namespace {

constexpr const char* kWhat = "cache folder";
constexpr const char* kFileWhat = "cache file";

bool private_to_us(const struct stat& status) {
  return status.st_uid == ::geteuid() && (status.st_mode & 077) == 0;
}

// A temporary file of its own beside name, as mkstemp names them: made new (O_EXCL),
// never one found there.
std::optional<std::pair<std::string, FileDescriptor>> new_temporary(const StateDirectory& directory,
                                                                    const std::string& name) {
  constexpr std::string_view kLetters =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device random;
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string temporary = name + ".";
    for (int i = 0; i < 6; ++i) temporary += kLetters[random() % kLetters.size()];
    try {
      auto fd = directory.open_file(temporary, O_WRONLY | O_CREAT | O_EXCL, kFileWhat);
      if (fd) return std::make_pair(temporary, std::move(*fd));
    } catch (const Error&) {
      // Taken (or not writable): another name, a few times.
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<StateDirectory> open_private_directory(const std::string& directory) {
  try {
    auto opened = StateDirectory::open_existing(directory, kWhat);
    if (opened && private_to_us(opened->status())) return opened;
  } catch (const Error&) {
    // A link, a folder of another: no cache.
  }
  return std::nullopt;
}

std::optional<StateDirectory> prepare_private_directory(const std::string& directory) {
  try {
    StateDirectory opened = StateDirectory::open_or_create(directory, kWhat);
    if ((opened.status().st_mode & 077) == 0 || ::fchmod(opened.fd(), 0700) == 0) return opened;
  } catch (const Error&) {
    // Not ours to use: the cache is skipped.
  }
  return std::nullopt;
}

std::optional<std::string> read_private_file(const StateDirectory& directory,
                                             const std::string& name, size_t max_bytes) {
  try {
    struct stat status {};
    std::optional<std::string> text = directory.read_file(name, max_bytes, kFileWhat, &status);
    if (text && private_to_us(status)) return text;
  } catch (const Error&) {
    // A link, a FIFO, another's file, too large: no cache.
  }
  return std::nullopt;
}

bool write_private_file(const StateDirectory& directory, const std::string& name,
                        const std::string& text) {
  auto temporary = new_temporary(directory, name);
  if (!temporary) return false;
  auto& [temporary_name, fd] = *temporary;
  const bool written = write_all(fd.get(), text);
  fd = FileDescriptor();
  try {
    if (written) {
      directory.rename(temporary_name, name, kFileWhat);
      return true;
    }
  } catch (const Error&) {
  }
  try {
    directory.remove(temporary_name, kFileWhat);
  } catch (const Error&) {
  }
  return false;
}

}  // namespace volcrypt
