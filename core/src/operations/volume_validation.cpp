#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/volume_validation.hpp>

namespace volcrypt {
namespace {

bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

bool is_serial_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' ||
         c == '_' || c == '.' || c == '+' || c == '-';
}

std::string quoted_path(const std::string& path) { return "'" + printable_text(path) + "'"; }

void refuse_control_characters(const std::string& path) {
  if (std::any_of(path.begin(), path.end(), is_control)) {
    throw Error(ErrorKind::usage,
                "volume path " + quoted_path(path) + " contains a control character");
  }
}

}  // namespace

void validate_volume_id(const std::string& volume_id) {
  if (volume_id.empty()) throw Error(ErrorKind::usage, "the volume needs a volume id");
  const std::string named = "volume id '" + printable_text(volume_id) + "'";
  if (!is_valid_utf8(volume_id)) throw Error(ErrorKind::usage, named + " is not valid UTF-8");
  if (!std::all_of(volume_id.begin(), volume_id.end(), is_serial_character)) {
    throw Error(ErrorKind::usage, named +
                                      " may only contain A-Z a-z 0-9, space, '_', '.', '+' and "
                                      "'-' (libvirt's rule for a disk serial)");
  }
  if (volume_id.size() > kMaxVolumeIdBytes) {
    throw Error(ErrorKind::usage,
                named + " is longer than " + std::to_string(kMaxVolumeIdBytes) + " bytes");
  }
}

void validate_source_path(const std::string& path) {
  if (path.empty()) throw Error(ErrorKind::usage, "the volume needs a source path");
  refuse_control_characters(path);
  if (path.front() != '/') {
    throw Error(ErrorKind::usage, "volume path " + quoted_path(path) + " is not absolute");
  }
  const std::string canonical = canonical_source_path(path);
  if (canonical != path) {
    throw Error(ErrorKind::usage, "volume path " + quoted_path(path) +
                                      " is not canonical (it resolves to " +
                                      quoted_path(canonical) + ")");
  }
}

std::string canonical_source_path(const std::string& given) {
  if (given.empty()) throw Error(ErrorKind::usage, "the volume needs a source path");
  refuse_control_characters(given);
  std::unique_ptr<char, decltype(&::free)> resolved(::realpath(given.c_str(), nullptr), ::free);
  if (!resolved) {
    if (errno == ENOENT || errno == ENOTDIR) {
      throw Error(ErrorKind::not_found, "volume " + quoted_path(given) + " does not exist");
    }
    throw Error(ErrorKind::not_found,
                "cannot inspect volume " + quoted_path(given) + ": " + std::strerror(errno));
  }
  return resolved.get();
}

}  // namespace volcrypt
