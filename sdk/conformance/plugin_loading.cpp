#include "plugin_loading.hpp"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>

namespace volcrypt::conformance {
namespace {

std::string version_text(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

Problem inode_problem(const std::filesystem::path& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return path.string() + ": " + std::strerror(errno);
  if (st.st_uid != 0 && st.st_uid != geteuid()) {
    return path.string() + " is owned by uid " + std::to_string(st.st_uid) +
           ", not root or the running user";
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return path.string() + " is writable by group or others (mode " + mode + ")";
  }
  return std::nullopt;
}

}  // namespace

Problem PluginLoading::open() {
  // dlopen searches the library path for a bare name; the core always has a full path.
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::absolute(file_, ec);
  dlerror();
  library_ = dlopen((ec ? file_ : path).c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library_ == nullptr) {
    const char* why = dlerror();
    return std::string("not a loadable shared library: ") + (why ? why : "dlopen failed");
  }
  return std::nullopt;
}

Problem PluginLoading::find_symbols() {
  abi_ =
      static_cast<const volcrypt_plugin_abi_version*>(dlsym(library_, VOLCRYPT_PLUGIN_ABI_SYMBOL));
  // POSIX hands a function as an object pointer; this conversion is how it is meant to be read.
  entry_ =
      reinterpret_cast<volcrypt_plugin_entry_fn>(dlsym(library_, VOLCRYPT_PLUGIN_ENTRY_SYMBOL));
  if (abi_ == nullptr && entry_ == nullptr) {
    return std::string("not a volcrypt plugin: exports neither " VOLCRYPT_PLUGIN_ABI_SYMBOL
                       " nor " VOLCRYPT_PLUGIN_ENTRY_SYMBOL);
  }
  if (abi_ == nullptr) return std::string("does not export " VOLCRYPT_PLUGIN_ABI_SYMBOL);
  if (entry_ == nullptr) return std::string("does not export " VOLCRYPT_PLUGIN_ENTRY_SYMBOL);
  return std::nullopt;
}

Problem PluginLoading::check_abi_version() const {
  const std::string plugin = version_text(abi_->major, abi_->minor);
  const std::string host = version_text(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR);
  if (abi_->major != VOLCRYPT_ABI_MAJOR) {
    return "plugin ABI " + plugin + " does not match the host's ABI " + host +
           " (major versions must be equal)";
  }
  if (abi_->minor > VOLCRYPT_ABI_MINOR) {
    return "plugin needs ABI " + plugin + " but this host provides " + host;
  }
  return std::nullopt;
}

Problem PluginLoading::call_entry() {
  try {
    descriptor_ = entry_(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR);
  } catch (...) {
    return std::string("the entry point threw a C++ exception across the C boundary");
  }
  if (descriptor_ == nullptr) {
    return "the entry point returned no plugin for host ABI " +
           version_text(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR) + " (initialization failed)";
  }
  return std::nullopt;
}

Problem PluginLoading::load_all() {
  if (auto problem = open()) return problem;
  if (auto problem = find_symbols()) return problem;
  if (auto problem = check_abi_version()) return problem;
  return call_entry();
}

Problem untrusted_reason(const std::filesystem::path& file) {
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::canonical(file, ec);
  if (ec) return file.string() + ": " + ec.message();
  if (auto problem = inode_problem(target)) return problem;
  if (auto problem = inode_problem(target.parent_path())) return problem;
  const std::filesystem::path folder = std::filesystem::absolute(file, ec).parent_path();
  if (!ec && folder != target.parent_path()) return inode_problem(folder);
  return std::nullopt;
}

}  // namespace volcrypt::conformance
