#include "base/file_identity.hpp"

#include <sys/stat.h>

#include <filesystem>

namespace volcrypt {

FileIdentity file_identity(const std::string& path) {
  FileIdentity identity;
  // A network volume's name (rbd:POOL/IMAGE, iscsi://..., nbd://...) is no path here: a
  // file of that name in the working directory must not stand for it.
  if (!path.starts_with('/')) {
    identity.normal_path = path;
    return identity;
  }
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    identity.normal_path = std::filesystem::path(path).lexically_normal().string();
  } else if (S_ISBLK(info.st_mode)) {
    identity.kind = FileIdentity::Kind::block_device;
    identity.device = info.st_rdev;
  } else {
    identity.kind = FileIdentity::Kind::file;
    identity.device = info.st_dev;
    identity.inode = info.st_ino;
  }
  return identity;
}

const FileIdentity& FileIdentities::of(const std::string& path) {
  auto found = known_.find(path);
  if (found != known_.end()) return found->second;
  return known_.emplace(path, file_identity(path)).first->second;
}

}  // namespace volcrypt
