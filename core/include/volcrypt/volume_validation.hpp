// The rules a volume description must meet before anything is created for it: the
// path that is probed is the path libvirt opens, and the volume id fits everywhere it
// goes (the disk's <serial>, the libvirt secret's usage id, a key file's name).
#pragma once

#include <cstddef>
#include <string>

namespace volcrypt {

// QEMU refuses a longer serial on a SCSI disk, and a Cinder id (a UUID) is 36 bytes.
inline constexpr size_t kMaxVolumeIdBytes = 36;

// Throws Error(usage) naming the id unless it is non-empty, well-formed UTF-8, at most
// kMaxVolumeIdBytes long and made of what libvirt allows in a disk serial:
// A-Z a-z 0-9, space, '_', '.', '+', '-'.
void validate_volume_id(const std::string& volume_id);

// Throws Error(usage) naming the path when it has a control character (QEMU would open
// another file than the one probed), is relative or is not canonical (a symbolic link
// or "..": what is probed could change before libvirt opens it).
void validate_source_path(const std::string& path);

// The absolute canonical form of a --source as given (relative to the working
// directory), after refusing control characters. Throws Error(not_found) when it does
// not exist.
std::string canonical_source_path(const std::string& given);

}  // namespace volcrypt
