// Which file a path names, so that two spellings of one volume are one volume: a link or
// a relative spelling of the same file (device and inode), /dev/mapper/NAME and
// /dev/dm-N (a link or a second node of one block device: the device it opens). One
// stat per path, not a walk of every component: a domain may carry hundreds of disks.
#pragma once

#include <sys/types.h>

#include <compare>
#include <string>
#include <unordered_map>

namespace volcrypt {

struct FileIdentity {
  enum class Kind { block_device, file, missing };
  Kind kind = Kind::missing;
  dev_t device = 0;  // a block device node: the device it opens; a file: its file system's
  ino_t inode = 0;
  // A path that names nothing (yet): its lexically normal form; a network volume's name
  // (anything not absolute): as it is.
  std::string normal_path;
  auto operator<=>(const FileIdentity&) const = default;
};

FileIdentity file_identity(const std::string& path);

// The identities of many paths, each path looked at once.
class FileIdentities {
 public:
  const FileIdentity& of(const std::string& path);

 private:
  std::unordered_map<std::string, FileIdentity> known_;
};

}  // namespace volcrypt
