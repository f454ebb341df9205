// The plugin contract as both sides check it: the volcrypt core's loader and the
// conformance kit (volcrypt-plugin-check) include this one header, so a plugin the kit
// passes is a plugin the core loads, and a refusal reads the same in both. Header-only,
// C++20, POSIX; it needs neither Boost nor libvirt.
#pragma once

#include <sys/stat.h>
#include <unistd.h>
#include <volcrypt/plugin_abi.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>

namespace volcrypt::contract {

// What is wrong, as one line for a refusal or a failed check; nothing when fine.
using Problem = std::optional<std::string>;

// --- Limits both sides use ---------------------------------------------------------

// Bytes of the reason and error buffers the host hands to probe, prepare and release.
inline constexpr size_t kMessageCapacity = 1024;
// A volume whose first this-many bytes are zero (or which is shorter and all zero) is
// VOLCRYPT_HEADER_BLANK: the host reads that far, and a plugin formatting a blank volume
// keeps its header inside it, so that a format it undoes leaves the volume blank again.
inline constexpr size_t kBlankCheckBytes = 4 * 1024 * 1024;
// A provider list longer than this is taken for one missing its terminating NULL.
inline constexpr size_t kMaxProviders = 64;
// ABI 1.0's descriptor ends with `capabilities`. Every 1.x host reads at least that
// much and no more is required: fields a later minor appends are optional, so a plugin
// built against 1.0 keeps loading in every 1.x host.
inline constexpr size_t kAbi10DescriptorSize =
    offsetof(volcrypt_plugin, capabilities) + sizeof(volcrypt_plugin::capabilities);

// --- Grammars --------------------------------------------------------------------

inline bool is_lowercase_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// A plugin id: [a-z0-9-]+, the name it is pinned, denied and recorded by.
inline bool is_valid_id(std::string_view id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), is_lowercase_name_char);
}

// A key of a plugin's state (attachment_set_state): [a-z0-9-]+, as ids.
inline bool is_valid_state_key(std::string_view key) { return is_valid_id(key); }

inline bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// A provider name: non-empty and one line (legacy names hold dots and capitals).
inline bool is_valid_provider_name(std::string_view name) {
  return !name.empty() && std::none_of(name.begin(), name.end(), is_control);
}

// Text from a plugin, safe to put in one line of a message.
inline std::string shown(std::string_view text, size_t limit = 80) {
  std::string out(text.substr(0, limit));
  std::replace_if(out.begin(), out.end(), is_control, '?');
  return text.size() > limit ? out + "..." : out;
}

inline std::string version_text(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

// --- Loading, step by step -----------------------------------------------------------

inline constexpr const char* kEntryReturnedNothing =
    "the entry point returned no plugin (initialization failed)";
inline constexpr const char* kEntryThrew =
    "the entry point threw a C++ exception across the C boundary";

// The exported volcrypt_plugin_abi, read before any plugin code runs.
inline Problem abi_version_problem(const volcrypt_plugin_abi_version& plugin) {
  const std::string wanted = version_text(plugin.major, plugin.minor);
  const std::string host = version_text(VOLCRYPT_ABI_MAJOR, VOLCRYPT_ABI_MINOR);
  if (plugin.major != VOLCRYPT_ABI_MAJOR) {
    return "plugin ABI " + wanted + " does not match the host's ABI " + host +
           " (major versions must be equal)";
  }
  if (plugin.minor > VOLCRYPT_ABI_MINOR) {
    return "plugin needs ABI " + wanted + " but the host provides " + host;
  }
  return std::nullopt;
}

// --- The descriptor, field by field (each is one check of the kit) -------------------

// struct_size covers ABI 1.0's fields, and the descriptor's version is the exported one.
inline Problem layout_problem(const volcrypt_plugin& d, const volcrypt_plugin_abi_version& abi) {
  if (!VOLCRYPT_HAS_FIELD(&d, volcrypt_plugin, capabilities)) {
    return "struct_size is " + std::to_string(d.struct_size) + " bytes but ABI 1.0 needs " +
           std::to_string(kAbi10DescriptorSize) + " (set it to sizeof(volcrypt_plugin))";
  }
  if (d.abi_major != abi.major || d.abi_minor != abi.minor) {
    return "the descriptor says ABI " + version_text(d.abi_major, d.abi_minor) + " but " +
           VOLCRYPT_PLUGIN_ABI_SYMBOL + " says " + version_text(abi.major, abi.minor);
  }
  return std::nullopt;
}

inline Problem id_problem(const char* id) {
  if (id == nullptr || *id == '\0') return std::string("no id");
  if (!is_valid_id(id)) return "id '" + shown(id) + "' may only contain a-z, 0-9 and '-'";
  return std::nullopt;
}

inline Problem version_problem(const char* version) {
  if (version == nullptr || *version == '\0') return std::string("no version");
  const std::string_view v = version;
  if (std::any_of(v.begin(), v.end(), [](char c) { return c == ' ' || is_control(c); })) {
    return "version '" + shown(v) + "' holds white space";
  }
  return std::nullopt;
}

inline Problem summary_problem(const char* summary) {
  if (summary == nullptr || *summary == '\0') return std::string("no summary");
  const std::string_view s = summary;
  if (std::any_of(s.begin(), s.end(), is_control)) {
    return std::string("the summary is more than one line");
  }
  return std::nullopt;
}

inline Problem providers_problem(const char* const* providers) {
  if (providers == nullptr) return std::string("no provider list (providers is NULL)");
  std::set<std::string_view> seen;
  for (size_t i = 0; providers[i] != nullptr; ++i) {
    if (i == kMaxProviders) {
      return "more than " + std::to_string(kMaxProviders) +
             " providers: is the list missing its terminating NULL?";
    }
    const std::string_view name = providers[i];
    if (!is_valid_provider_name(name)) {
      return "provider " + std::to_string(i) +
             (name.empty() ? " is an empty name" : " is not one line");
    }
    if (!seen.insert(name).second) return "provider '" + shown(name) + "' is listed twice";
  }
  if (seen.empty())
    return std::string("the provider list is empty: the plugin would serve nothing");
  return std::nullopt;
}

inline Problem functions_problem(const volcrypt_plugin& d) {
  std::string missing;
  if (d.probe == nullptr) missing += " probe";
  if (d.prepare == nullptr) missing += " prepare";
  if (d.release == nullptr) missing += " release";
  if (missing.empty()) return std::nullopt;
  return "missing function(s):" + missing;
}

// Everything the loader refuses a descriptor for, in the kit's order. Reads only ABI
// 1.0's fields. (Capability bits a host does not know are ignored, not refused: the kit
// reports them.)
inline Problem descriptor_problem(const volcrypt_plugin& d,
                                  const volcrypt_plugin_abi_version& exported) {
  if (auto problem = layout_problem(d, exported)) return problem;
  if (auto problem = id_problem(d.id)) return problem;
  if (auto problem = version_problem(d.version)) return problem;
  if (auto problem = summary_problem(d.summary)) return problem;
  if (auto problem = providers_problem(d.providers)) return problem;
  return functions_problem(d);
}

// --- The file trust rule ---------------------------------------------------------------
// A plugin runs as root inside the host. A file is trusted when it, the folder holding
// it and, for a symbolic link, the link's target and the target's folder are each owned
// by root or the running user and writable by neither group nor others (a sticky bit
// does not help: anyone can still add files). Whoever can write one of them can swap
// or plant the code that runs.

namespace trust_detail {

inline std::string mode_text(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Owner and write bits of one inode, as lstat or stat saw it.
inline Problem inode_problem(const std::filesystem::path& path, const struct stat& st) {
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

inline std::string cannot_check(const std::filesystem::path& path, int error) {
  return path.string() + " cannot be checked: " + std::strerror(error);
}

// The folder that holds path's directory entry (followed, if it is itself a link).
inline Problem folder_problem(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path entry = std::filesystem::absolute(path, ec);
  if (ec) entry = path;
  if (!entry.has_filename()) entry = entry.parent_path();  // "dir/" names dir
  std::filesystem::path folder = entry.parent_path();
  if (folder.empty()) folder = ".";
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) return cannot_check(folder, errno);
  return inode_problem(folder, st);
}

}  // namespace trust_detail

// Why path may not be trusted, or nothing when it may.
inline Problem untrusted_reason(const std::filesystem::path& path) {
  using namespace trust_detail;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return cannot_check(path, errno);
  if (auto problem = inode_problem(path, st)) return problem;
  if (auto problem = folder_problem(path)) return problem;
  if (!S_ISLNK(st.st_mode)) return std::nullopt;

  // A link is only as trustworthy as what it points to, and the folder that holds that.
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::canonical(path, ec);
  if (ec) return path.string() + " is a symbolic link that cannot be resolved: " + ec.message();
  const std::string prefix = path.string() + " is a symbolic link to " + target.string() + ": ";
  struct stat target_st {};
  if (::stat(target.c_str(), &target_st) != 0) return prefix + cannot_check(target, errno);
  if (auto problem = inode_problem(target, target_st)) return prefix + *problem;
  if (auto problem = folder_problem(target)) return prefix + *problem;
  return std::nullopt;
}

}  // namespace volcrypt::contract
