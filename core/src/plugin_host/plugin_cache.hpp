// The registry cache: what reading each plugin file's metadata in a helper gave, kept in
// CACHE_DIR/plugins.json so that a later command spawns no helper and loads no plugin
// for a file that has not changed. It only saves time: the trust rule still runs on
// every file every time, and a cache that is missing, damaged, not root's own (0700
// folder, 0600 file, owned by the effective uid) or from another volcrypt is ignored
// and rebuilt, never an error.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "plugin_host/helper_process.hpp"

namespace volcrypt {

// What says a file is still the one that was described.
struct FileStamp {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

// The stamp of what path leads to, or nothing when it cannot be looked at.
std::optional<FileStamp> stamp_of(const std::filesystem::path& path);

class PluginCache {
 public:
  // Reads the cache in directory (empty: no cache); helper_program is the program that
  // describes plugins, whose own stamp is part of the key (a rebuilt volcrypt may judge
  // plugins differently).
  PluginCache(std::string directory, const std::string& helper_program);

  // What describing file gave when it had this stamp, if that is known.
  std::optional<HelperOutcome> find(const std::string& file, const FileStamp& stamp) const;
  // The id file had when it last described itself, whatever it is now (refused since,
  // or changed); empty if unknown. Names a refused file, never makes it trusted.
  std::string last_known_id(const std::string& file) const;
  // Outcomes that may not hold next time (a time limit hit on a busy host) are not kept.
  void remember(const std::string& file, const FileStamp& stamp, const HelperOutcome& outcome);
  // Writes the cache atomically if it changed; a cache that cannot be written is skipped.
  void save();

 private:
  struct Entry {
    FileStamp stamp;
    HelperOutcome outcome;
    std::string last_id;
  };
  void read();

  std::string directory_;
  std::optional<FileStamp> helper_stamp_;
  std::map<std::string, Entry> entries_;
  bool changed_ = false;
};

}  // namespace volcrypt
