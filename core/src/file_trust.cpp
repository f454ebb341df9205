#include "file_trust.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace volcrypt {
namespace {

std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Owner and write bits of one inode, as lstat or stat saw it.
std::optional<std::string> inode_problem(const std::filesystem::path& path, const struct stat& st) {
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return path.string() + " is owned by uid " + std::to_string(st.st_uid) +
           ", not root or the running user";
  }
  // A symbolic link's own mode is always 0777 and means nothing; its target is checked.
  if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return path.string() + " is writable by group or others (mode " + mode_text(st.st_mode) + ")";
  }
  return std::nullopt;
}

std::string cannot_check(const std::filesystem::path& path, int error) {
  return path.string() + " cannot be checked: " + std::strerror(error);
}

}  // namespace

std::optional<std::string> untrusted_reason(const std::filesystem::path& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return cannot_check(path, errno);
  if (auto problem = inode_problem(path, st)) return problem;
  if (!S_ISLNK(st.st_mode)) return std::nullopt;

  // A link is only as trustworthy as what it points to, and the folder that holds it.
  std::error_code ec;
  std::filesystem::path target = std::filesystem::canonical(path, ec);
  if (ec) {
    return path.string() + " is a symbolic link that cannot be resolved: " + ec.message();
  }
  const std::string prefix = path.string() + " is a symbolic link to " + target.string() + ": ";
  struct stat target_st {};
  if (stat(target.c_str(), &target_st) != 0) return prefix + cannot_check(target, errno);
  if (auto problem = inode_problem(target, target_st)) return prefix + *problem;
  if (!S_ISDIR(target_st.st_mode) && target.has_parent_path()) {
    const std::filesystem::path folder = target.parent_path();
    struct stat folder_st {};
    if (stat(folder.c_str(), &folder_st) != 0) return prefix + cannot_check(folder, errno);
    if (auto problem = inode_problem(folder, folder_st)) return prefix + *problem;
  }
  return std::nullopt;
}

}  // namespace volcrypt
