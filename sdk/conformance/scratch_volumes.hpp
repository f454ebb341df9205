// Throw-away volume files for one check, in a private temporary folder: a blank volume,
// a LUKS1 and a LUKS2 one (real headers, formatted by libcryptsetup with one key slot for
// the kit's own passphrase, so that a passphrase check means something), and one holding
// other data. No real key material is ever involved.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <filesystem>
#include <map>
#include <string>

namespace volcrypt::conformance {

enum class VolumeFile { blank, luks1, luks2, other };

// The passphrase the kit hands prepare and the scratch LUKS volumes open with. Printable,
// so that a leak is found in text; never a real key.
inline constexpr char kScratchPassphrase[] = "conformance-passphrase-3f9c2a7d";

// Formats the LUKS1 and LUKS2 headers once, in the parent process, before any check
// forks: every check's volumes then start from copies, without paying for key derivation
// again. Throws when libcryptsetup cannot format.
void make_luks_headers();

class ScratchVolumes {
 public:
  // Uses an existing, empty folder (made and removed by the parent process, so that it
  // is removed even when the plugin crashes the check).
  explicit ScratchVolumes(std::filesystem::path folder);

  const std::filesystem::path& folder() const { return folder_; }
  std::string path(VolumeFile file) const;
  static uint32_t header_kind(VolumeFile file);
  static const char* name(VolumeFile file);
  // Makes the volume as it was at the start again (after a prepare formatted it, say).
  void reset(VolumeFile file);

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
