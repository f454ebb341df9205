// Opening and closing dm-crypt mappings through libcryptsetup, with the errors a user
// can act on: no device-mapper, a wrong passphrase, a name taken by another device, a
// mapping still in use.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "crypt_device.hpp"

namespace volcrypt::dm {

// The running kernel offers device-mapper (dm-mod is loaded or built in).
bool device_mapper_available();

// Throws sdk::Error (FAILED) naming the mapping and the volume when this host has no
// device-mapper. Called before anything is written, so a refusal changes nothing.
void require_device_mapper(const std::string& mapping, const std::string& volume_id);

// What an active mapping is.
struct MappingInfo {
  std::string type;            // "LUKS1", "LUKS2", "PLAIN" (libcryptsetup's names)
  std::string device;          // the data device, e.g. /dev/loop3
  std::string cipher;          // e.g. "aes-cbc-essiv:sha256"
  uint32_t key_size_bits = 0;  //
  uint64_t offset_sectors = 0;
  uint64_t iv_offset_sectors = 0;
  uint32_t sector_size = 0;
  bool in_use = false;  // open count > 0 (e.g. a running guest)
};

// The mapping called name, or nothing when no mapping has that name (or this host has no
// device-mapper at all). Throws sdk::Error when device-mapper cannot be asked, or when the
// name belongs to a device that is not a dm-crypt mapping.
std::optional<MappingInfo> find_mapping(CryptLog& log, const std::string& name);

// True when device (a mapping's data device) is source_path: the same block device, or
// the loop device libcryptsetup attached for the file source_path.
bool is_same_volume(const std::string& device, const std::string& source_path);

// For prepare: the mapping called name when it is already open for source_path (then
// the caller reuses it: a second attach, or a re-open). Throws sdk::Error (BUSY) naming
// both devices when it is open for another device.
std::optional<MappingInfo> existing_mapping_for(CryptLog& log, const std::string& name,
                                                const std::string& source_path);

// crypt_activate_by_passphrase on a loaded (LUKS) or formatted (plain) handle. Throws
// sdk::Error: WRONG_KEY when no key slot opens, BUSY when the name was taken meanwhile or
// the volume is held by someone else, FAILED otherwise (with libcryptsetup's words).
void activate_mapping(CryptLog& log, CryptDevice& device, const std::string& name,
                      std::span<const uint8_t> passphrase, const std::string& volume_id);

// Closes a mapping this call opened when what follows fails; dismiss() keeps it open.
class MappingGuard {
 public:
  MappingGuard(CryptLog& log, std::string name) : log_(log), name_(std::move(name)) {}
  ~MappingGuard();
  MappingGuard(const MappingGuard&) = delete;
  MappingGuard& operator=(const MappingGuard&) = delete;
  void dismiss() { armed_ = false; }

 private:
  CryptLog& log_;
  std::string name_;
  bool armed_ = true;
};

// For release: closes the recorded mapping, or the name os-brick's other naming gives it
// (only when it maps recorded_device, if one is recorded). A mapping already gone is
// success. Throws sdk::Error (BUSY) "mapping NAME is still in use; it was left open".
void close_recorded_mapping(const sdk::Host& host, const std::string& recorded,
                            const std::string& recorded_device);

// A host-device plugin's whole release: the state's "mapping" (and "device") closed as
// above; a state without a mapping has nothing to close.
void release_recorded_mapping(const sdk::Host& host, const sdk::State& state);

}  // namespace volcrypt::dm
