// The folders volcrypt keeps its state in (locks, intents, caches) are opened, not
// trusted. A path is walked from / one folder at a time, never through a symbolic link,
// and each folder is judged by what was opened (fstat), not by its name: the folders
// above must be root's or ours and writable by no one else (a sticky /tmp is fine), the
// folder itself ours and writable by no one else. Missing folders are made 0700. Files
// are then opened relative to the folder's descriptor, never through a link, never
// waiting on a FIFO, and only when they are regular files of ours. What fails throws
// Error(internal) naming the path and what is wrong with it.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <vector>

#include "base/file_descriptor.hpp"

namespace volcrypt {

class StateDirectory {
 public:
  // Opens the folder at path (absolute), making what is missing of it 0700. `what`
  // names it in errors, e.g. "lock folder".
  static StateDirectory open_or_create(const std::string& path, const std::string& what);
  // The same refusals, but nothing when a folder of path does not exist.
  static std::optional<StateDirectory> open_existing(const std::string& path,
                                                     const std::string& what);

  const std::string& path() const { return path_; }
  std::string path_of(const std::string& name) const;
  // The folder as it was opened.
  const struct stat& status() const { return status_; }
  int fd() const { return fd_.get(); }

  // Opens the file `name` in this folder. flags: an access mode and any of O_APPEND,
  // O_CREAT (a new file is 0600), O_EXCL and O_TRUNC. Nothing when the file does not
  // exist and O_CREAT is absent. Throws when name is a link, not a regular file, not
  // ours, or cannot be opened; `what` names it, e.g. "intent file".
  std::optional<FileDescriptor> open_file(const std::string& name, int flags,
                                          const std::string& what) const;
  // The whole file `name`, at most max_bytes, opened as open_file does; nothing when it
  // does not exist. Throws when it is larger. status, if given, gets what was read.
  std::optional<std::string> read_file(const std::string& name, size_t max_bytes,
                                       const std::string& what,
                                       struct stat* status = nullptr) const;
  // Renames from over to, both in this folder.
  void rename(const std::string& from, const std::string& to, const std::string& what) const;
  // Removes the entry `name` (a file, a FIFO, a link: never what a link names); false
  // when it did not exist.
  bool remove(const std::string& name, const std::string& what) const;
  // The names of the entries in this folder.
  std::vector<std::string> names() const;

 private:
  StateDirectory(std::string path, std::string what, FileDescriptor fd, const struct stat& status)
      : path_(std::move(path)), what_(std::move(what)), fd_(std::move(fd)), status_(status) {}
  static std::optional<StateDirectory> walk(const std::string& path, const std::string& what,
                                            bool create);

  std::string path_;
  std::string what_;
  FileDescriptor fd_;
  struct stat status_ {};
};

}  // namespace volcrypt
