// Reading a file named by a user (config, volume description, domain XML, key) as
// hostile input: only a regular file is read, never a FIFO (which would hang), a device
// (which never ends) or a directory; and never more than a size cap.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace volcrypt {

class BoundedFile {
 public:
  // Opens path for reading without blocking and without becoming a controlling
  // terminal. `what` names the file in errors, e.g. "config file". Throws
  // Error(not_found) when it does not exist and Error(usage) when it is not a regular
  // file, is larger than max_bytes or cannot be opened.
  BoundedFile(const std::string& path, const std::string& what, size_t max_bytes);
  ~BoundedFile();
  BoundedFile(const BoundedFile&) = delete;
  BoundedFile& operator=(const BoundedFile&) = delete;

  // Reads up to buffer.size() bytes; 0 at the end of the file.
  size_t read_some(std::span<uint8_t> buffer);
  // Throws Error(usage) when more than max_bytes were read: a file can grow after the
  // size check, and a /proc file reports size 0.
  void check_total(size_t bytes_read) const;
  const struct stat& status() const { return status_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  struct stat status_ {};
  std::string path_;
  std::string what_;
  size_t max_bytes_;
};

// The whole file as bytes, through a BoundedFile.
std::string read_bounded_file(const std::string& path, const std::string& what, size_t max_bytes);

// The whole of standard input, at most max_bytes; `what` names it in the error.
std::string read_bounded_stdin(const std::string& what, size_t max_bytes);

// "64 KiB", "1 MiB", "123 bytes": a limit as people read it.
std::string size_text(size_t bytes);

// What kind of file a mode describes: "a directory", "a FIFO", "a character device"...
std::string file_kind_text(mode_t mode);

}  // namespace volcrypt
