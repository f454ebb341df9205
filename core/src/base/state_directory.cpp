#include "base/state_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <volcrypt/bounded_file.hpp>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>

namespace volcrypt {
namespace {

std::string named(const std::string& what, const std::string& path) {
  return what + " '" + printable_text(path) + "'";
}

[[noreturn]] void fail(const std::string& message) { throw Error(ErrorKind::internal, message); }

[[noreturn]] void fail_errno(const std::string& doing, int error_number) {
  fail(doing + ": " + std::strerror(error_number));
}

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

bool writable_by_others(const struct stat& status) { return (status.st_mode & 022) != 0; }

// What is wrong with a folder on the way to the state folder, or nothing. Root's system
// folders (/, /run, /var/cache) lead there; a folder anyone may write to is fine only when
// sticky (/tmp): then no one else can move ours away.
std::string fault_of_folder_above(const struct stat& status) {
  if (status.st_uid != 0 && status.st_uid != ::geteuid()) {
    return "is owned by uid " + std::to_string(status.st_uid);
  }
  if (writable_by_others(status) && (status.st_mode & S_ISVTX) == 0) {
    return "is writable by group or others (mode " + mode_text(status.st_mode) + ")";
  }
  return {};
}

std::string fault_of_state_folder(const struct stat& status) {
  if (status.st_uid != ::geteuid()) return "is owned by uid " + std::to_string(status.st_uid);
  if (writable_by_others(status)) {
    return "is writable by group or others (mode " + mode_text(status.st_mode) + ")";
  }
  return {};
}

std::string fault_of_file(const struct stat& status) {
  if (S_ISLNK(status.st_mode)) return "is a symbolic link";
  if (!S_ISREG(status.st_mode))
    return "is " + file_kind_text(status.st_mode) + ", not a regular file";
  if (status.st_uid != ::geteuid()) return "is owned by uid " + std::to_string(status.st_uid);
  return {};
}

// Why name in parent could not be opened as a folder (ELOOP, ENOTDIR): what it is instead.
std::string fault_of_non_folder(int parent, const std::string& name) {
  struct stat status {};
  if (::fstatat(parent, name.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
    return std::string("cannot be looked at: ") + std::strerror(errno);
  }
  if (S_ISLNK(status.st_mode)) return "is a symbolic link";
  return "is " + file_kind_text(status.st_mode) + ", not a directory";
}

std::vector<std::string> components_of(const std::string& path) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string name = path.substr(start, end - start);
    if (!name.empty() && name != ".") names.push_back(std::move(name));
    start = end + 1;
  }
  return names;
}

constexpr int kFolderFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;

}  // namespace

StateDirectory StateDirectory::open_or_create(const std::string& path, const std::string& what) {
  return *walk(path, what, true);
}

std::optional<StateDirectory> StateDirectory::open_existing(const std::string& path,
                                                            const std::string& what) {
  return walk(path, what, false);
}

std::optional<StateDirectory> StateDirectory::walk(const std::string& path, const std::string& what,
                                                   bool create) {
  const std::string whole = named(what, path);
  if (!path.starts_with('/')) fail(whole + " is not an absolute path");
  // Each fault is the folder's own or one of a folder above it.
  std::string reached = "/";
  const auto refuse = [&](const std::string& fault, bool last) {
    if (last) fail(whole + " " + fault);
    fail(whole + " is under '" + printable_text(reached) + "', which " + fault);
  };
  const auto cannot = [&](const std::string& doing, int error_number, bool last) {
    fail_errno(doing + " " + whole + (last ? "" : " at '" + printable_text(reached) + "'"),
               error_number);
  };

  const std::vector<std::string> names = components_of(path);
  FileDescriptor folder(::open("/", kFolderFlags));
  if (folder.get() < 0) cannot("cannot open", errno, names.empty());
  for (size_t i = 0;; ++i) {
    const bool last = i == names.size();
    struct stat status {};
    if (::fstat(folder.get(), &status) != 0) cannot("cannot look at", errno, last);
    const std::string fault = last ? fault_of_state_folder(status) : fault_of_folder_above(status);
    if (!fault.empty()) refuse(fault, last);
    if (last) return StateDirectory(path, what, std::move(folder), status);

    const std::string& name = names[i];
    reached = reached == "/" ? "/" + name : reached + "/" + name;
    const bool next_is_last = i + 1 == names.size();
    int next = ::openat(folder.get(), name.c_str(), kFolderFlags);
    if (next < 0 && errno == ENOENT) {
      if (!create) return std::nullopt;
      // 0700 whether it is the state folder or one above it: volcrypt made it for itself.
      if (::mkdirat(folder.get(), name.c_str(), 0700) != 0 && errno != EEXIST) {
        cannot("cannot create", errno, next_is_last);
      }
      next = ::openat(folder.get(), name.c_str(), kFolderFlags);
    }
    if (next < 0) {
      if (errno == ELOOP || errno == ENOTDIR) {
        refuse(fault_of_non_folder(folder.get(), name), next_is_last);
      }
      cannot("cannot open", errno, next_is_last);
    }
    folder = FileDescriptor(next);
  }
}

std::string StateDirectory::path_of(const std::string& name) const {
  return path_.ends_with('/') ? path_ + name : path_ + "/" + name;
}

std::optional<FileDescriptor> StateDirectory::open_file(const std::string& name, int flags,
                                                        const std::string& what) const {
  const std::string file = named(what, path_of(name));
  // Looked at before opening: opening a device can have effects of its own.
  struct stat before {};
  if (::fstatat(fd(), name.c_str(), &before, AT_SYMLINK_NOFOLLOW) == 0) {
    if (const std::string fault = fault_of_file(before); !fault.empty()) fail(file + " " + fault);
  } else if (errno != ENOENT) {
    fail_errno("cannot look at " + file, errno);
  } else if ((flags & O_CREAT) == 0) {
    return std::nullopt;
  }
  // O_NONBLOCK: should it become a FIFO meanwhile, open does not wait for the other end;
  // the fstat below refuses it.
  FileDescriptor opened(
      ::openat(fd(), name.c_str(), flags | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600));
  if (opened.get() < 0) {
    if (errno == ENOENT && (flags & O_CREAT) == 0) return std::nullopt;
    if (errno == ELOOP) fail(file + " is a symbolic link");
    fail_errno("cannot open " + file, errno);
  }
  struct stat status {};
  if (::fstat(opened.get(), &status) != 0) fail_errno("cannot look at " + file, errno);
  if (const std::string fault = fault_of_file(status); !fault.empty()) fail(file + " " + fault);
  return opened;
}

std::optional<std::string> StateDirectory::read_file(const std::string& name, size_t max_bytes,
                                                     const std::string& what,
                                                     struct stat* status) const {
  const std::optional<FileDescriptor> opened = open_file(name, O_RDONLY, what);
  if (!opened) return std::nullopt;
  const std::string file = named(what, path_of(name));
  struct stat read_status {};
  if (::fstat(opened->get(), &read_status) != 0) fail_errno("cannot look at " + file, errno);
  if (status != nullptr) *status = read_status;
  const auto too_large = [&] {
    fail(file + " is larger than the limit of " + size_text(max_bytes));
  };
  if (static_cast<uint64_t>(read_status.st_size) > max_bytes) too_large();
  std::string text;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(opened->get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("cannot read " + file, errno);
    if (n == 0) return text;
    text.append(buffer, static_cast<size_t>(n));
    // It may have grown since the fstat.
    if (text.size() > max_bytes) too_large();
  }
}

void StateDirectory::rename(const std::string& from, const std::string& to,
                            const std::string& what) const {
  if (::renameat(fd(), from.c_str(), fd(), to.c_str()) != 0) {
    fail_errno(
        "cannot rename " + named(what, path_of(from)) + " to '" + printable_text(path_of(to)) + "'",
        errno);
  }
}

bool StateDirectory::remove(const std::string& name, const std::string& what) const {
  if (::unlinkat(fd(), name.c_str(), 0) == 0) return true;
  if (errno == ENOENT) return false;
  fail_errno("cannot remove " + named(what, path_of(name)), errno);
}

std::vector<std::string> StateDirectory::names() const {
  // A descriptor of its own: reading entries moves its offset.
  const int listing = ::openat(fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* entries = listing < 0 ? nullptr : ::fdopendir(listing);
  if (entries == nullptr) {
    const int error_number = errno;
    if (listing >= 0) ::close(listing);
    fail_errno("cannot list " + named(what_, path_), error_number);
  }
  std::vector<std::string> out;
  while (const struct dirent* entry = ::readdir(entries)) {
    const std::string name = entry->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  ::closedir(entries);
  return out;
}

}  // namespace volcrypt
