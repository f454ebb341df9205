// Throw-away volume files for one check, in a private temporary folder: a blank volume,
// a LUKS1-looking and a LUKS2-looking one (valid headers without key slots, so nothing
// opens them), and one holding other data. No real key material is ever involved.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <filesystem>
#include <map>
#include <string>

namespace volcrypt::conformance {

enum class VolumeFile { blank, luks1, luks2, other };

class ScratchVolumes {
 public:
  // Uses an existing, empty folder (made and removed by the parent process, so that it
  // is removed even when the plugin crashes the check).
  explicit ScratchVolumes(std::filesystem::path folder);

  const std::filesystem::path& folder() const { return folder_; }
  std::string path(VolumeFile file) const;
  static uint32_t header_kind(VolumeFile file);
  static const char* name(VolumeFile file);

  // Every entry under the folder, with its size and modification time: what a call
  // created, removed or wrote shows up as a difference.
  std::map<std::string, std::string> snapshot() const;
  // "created X", "removed Y", "changed Z" between two snapshots, or empty.
  static std::string difference(const std::map<std::string, std::string>& before,
                                const std::map<std::string, std::string>& after,
                                bool count_changes);

 private:
  std::filesystem::path folder_;
};

// A fresh private folder under $TMPDIR (or /tmp).
std::filesystem::path make_scratch_folder();

}  // namespace volcrypt::conformance
