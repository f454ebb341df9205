#include "base/volume_header.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <vector>
#include <volcrypt/error.hpp>
#include <volcrypt/printable_text.hpp>
#include <volcrypt/strict_json.hpp>

#include "base/file_descriptor.hpp"
#include "base/luks1_damage.hpp"

namespace volcrypt {
namespace {

constexpr std::array<uint8_t, 6> kLuksMagic = {'L', 'U', 'K', 'S', 0xba, 0xbe};
constexpr size_t kLuksVersionOffset = 6;
constexpr size_t kChunkBytes = 64 * 1024;

[[noreturn]] void throw_unreadable(const std::string& path, int error_number) {
  if (error_number == ENOENT)
    throw Error(ErrorKind::not_found, "volume '" + path + "' does not exist");
  throw Error(ErrorKind::not_found,
              "cannot read volume '" + path + "': " + std::strerror(error_number));
}

// Reads up to buffer.size() bytes at offset; fewer only at the end of the volume.
size_t read_at(int fd, const std::string& path, std::span<uint8_t> buffer, off_t offset) {
  size_t done = 0;
  while (done < buffer.size()) {
    ssize_t n =
        ::pread(fd, buffer.data() + done, buffer.size() - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_unreadable(path, errno);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

uint64_t big_endian(std::span<const uint8_t> bytes, size_t at, size_t width) {
  uint64_t value = 0;
  for (size_t i = at; i < at + width; ++i) value = (value << 8) | bytes[i];
  return value;
}

// LUKS1: the payload offset, in 512-byte sectors, right after the three names.
constexpr size_t kLuks1PayloadOffsetAt = 104;
constexpr uint64_t kSectorBytes = 512;
// LUKS2: the binary header's hdr_size (the binary header and JSON area together) and
// where its JSON area starts; the specification allows at most 4 MiB.
constexpr size_t kLuks2HeaderSizeAt = 8;
constexpr size_t kLuks2JsonAt = 4096;
constexpr uint64_t kLuks2MaxHeaderBytes = 4 * 1024 * 1024;

[[noreturn]] void throw_unreadable_layout(const std::string& name, const std::string& why) {
  throw Error(ErrorKind::refused_data, "cannot tell where the data of LUKS volume '" +
                                           printable_text(name) + "' starts: " + why);
}

// The smallest offset of the LUKS2 data segments, as the JSON area lists them.
uint64_t luks2_data_offset(const VolumeBytes& volume, std::span<const uint8_t> binary) {
  const uint64_t header_size = big_endian(binary, kLuks2HeaderSizeAt, 8);
  if (header_size <= kLuks2JsonAt || header_size > kLuks2MaxHeaderBytes) {
    throw_unreadable_layout(
        volume.name, "its header size " + std::to_string(header_size) + " is not a LUKS2 header's");
  }
  std::vector<uint8_t> area(header_size - kLuks2JsonAt);
  if (volume.read_at(kLuks2JsonAt, area) < area.size()) {
    throw_unreadable_layout(volume.name, "the volume ends inside its LUKS2 header");
  }
  const auto end = std::find(area.begin(), area.end(), uint8_t{0});
  nlohmann::json json;
  try {
    json = parse_strict_json(
        std::string_view(reinterpret_cast<const char*>(area.data()), end - area.begin()),
        "its LUKS2 JSON area");
  } catch (const Error& e) {
    throw_unreadable_layout(volume.name, e.what());
  }
  try {
    std::optional<uint64_t> smallest;
    for (const auto& [name, segment] : json.at("segments").items()) {
      const uint64_t offset = std::stoull(segment.at("offset").get<std::string>());
      if (!smallest || offset < *smallest) smallest = offset;
    }
    if (!smallest) throw_unreadable_layout(volume.name, "its LUKS2 header lists no data segment");
    return *smallest;
  } catch (const nlohmann::json::exception& e) {
    throw_unreadable_layout(volume.name,
                            std::string("its LUKS2 JSON area is not readable (") + e.what() + ")");
  } catch (const std::logic_error&) {
    throw_unreadable_layout(volume.name, "a LUKS2 segment offset is not a number");
  }
}

bool all_zero(std::span<const uint8_t> bytes) {
  return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

// A file or block device through fd, which must outlive what is returned. Its size is
// where it ends (lseek works for both).
VolumeBytes file_volume_bytes(int fd, const std::string& path) {
  const off_t end = ::lseek(fd, 0, SEEK_END);
  if (end < 0) throw_unreadable(path, errno);
  return VolumeBytes{path, static_cast<uint64_t>(end),
                     [fd, &path](uint64_t offset, std::span<uint8_t> buffer) {
                       return read_at(fd, path, buffer, static_cast<off_t>(offset));
                     }};
}

FileDescriptor open_volume(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw_unreadable(path, errno);
  return fd;
}

}  // namespace

HeaderKind read_volume_header(const VolumeBytes& volume) {
  // Reading to the end (capped) works the same for every source.
  std::vector<uint8_t> chunk(kChunkBytes);
  size_t first = volume.read_at(0, chunk);
  if (first >= kLuksVersionOffset + 2 &&
      std::equal(kLuksMagic.begin(), kLuksMagic.end(), chunk.begin())) {
    // The version is a big-endian uint16 right after the magic.
    uint16_t version =
        static_cast<uint16_t>((chunk[kLuksVersionOffset] << 8) | chunk[kLuksVersionOffset + 1]);
    if (version == 1) {
      // No passphrase opens a damaged header: say so before anything is created, rather
      // than let QEMU or libcryptsetup report a wrong passphrase.
      const auto damage = luks1_damage(volume.size, volume.read_at);
      if (damage) {
        throw Error(ErrorKind::refused_data, "the LUKS header of volume '" +
                                                 printable_text(volume.name) + "' is damaged (" +
                                                 *damage + "); it was left untouched");
      }
      return HeaderKind::luks1;
    }
    if (version == 2) return HeaderKind::luks2;
    return HeaderKind::other;  // a LUKS we do not know is nothing to format over
  }

  size_t offset = 0;
  size_t got = first;
  while (true) {
    if (!all_zero(std::span(chunk).first(got))) return HeaderKind::other;
    offset += got;
    if (got < chunk.size() || offset >= kBlankCheckBytes) return HeaderKind::blank;
    size_t want = std::min(chunk.size(), kBlankCheckBytes - offset);
    got = volume.read_at(offset, std::span(chunk).first(want));
    if (got == 0) return HeaderKind::blank;
  }
}

uint64_t luks_payload_offset(const VolumeBytes& volume) {
  std::array<uint8_t, kLuks2JsonAt> binary{};
  const size_t got = volume.read_at(0, binary);
  if (got < kLuks1PayloadOffsetAt + 4 ||
      !std::equal(kLuksMagic.begin(), kLuksMagic.end(), binary.begin())) {
    throw Error(ErrorKind::refused_data,
                "volume '" + printable_text(volume.name) + "' is not LUKS");
  }
  const uint64_t version = big_endian(binary, kLuksVersionOffset, 2);
  if (version == 1) return big_endian(binary, kLuks1PayloadOffsetAt, 4) * kSectorBytes;
  if (version == 2 && got == binary.size()) return luks2_data_offset(volume, binary);
  throw_unreadable_layout(volume.name, "LUKS version " + std::to_string(version) + " is unknown");
}

HeaderKind read_volume_header(const std::string& path) {
  const FileDescriptor fd = open_volume(path);
  return read_volume_header(file_volume_bytes(fd.get(), path));
}

uint64_t luks_payload_offset(const std::string& path) {
  const FileDescriptor fd = open_volume(path);
  return luks_payload_offset(file_volume_bytes(fd.get(), path));
}

volcrypt_source_kind volume_source_kind(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      throw Error(ErrorKind::not_found, "volume '" + path + "' does not exist");
    }
    throw Error(ErrorKind::not_found,
                "cannot inspect volume '" + path + "': " + std::strerror(errno));
  }
  if (S_ISREG(info.st_mode)) return VOLCRYPT_SOURCE_FILE;
  if (S_ISBLK(info.st_mode)) return VOLCRYPT_SOURCE_BLOCK;
  throw Error(ErrorKind::usage, "volume '" + path + "' is neither a file nor a block device");
}

uint64_t volume_size_bytes(const std::string& path) {
  const FileDescriptor fd = open_volume(path);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) throw_unreadable(path, errno);
  if (S_ISBLK(info.st_mode)) {
    uint64_t size = 0;
    if (::ioctl(fd.get(), BLKGETSIZE64, &size) != 0) throw_unreadable(path, errno);
    return size;
  }
  return static_cast<uint64_t>(info.st_size);
}

uint32_t to_abi(HeaderKind kind) {
  switch (kind) {
    case HeaderKind::luks1:
      return VOLCRYPT_HEADER_LUKS1;
    case HeaderKind::luks2:
      return VOLCRYPT_HEADER_LUKS2;
    case HeaderKind::blank:
      return VOLCRYPT_HEADER_BLANK;
    case HeaderKind::other:
      return VOLCRYPT_HEADER_OTHER;
    case HeaderKind::unknown:
      break;
  }
  return VOLCRYPT_HEADER_UNKNOWN;
}

const char* header_name(HeaderKind kind) {
  switch (kind) {
    case HeaderKind::luks1:
      return "LUKS1";
    case HeaderKind::luks2:
      return "LUKS2";
    case HeaderKind::blank:
      return "blank";
    case HeaderKind::other:
      return "other data";
    case HeaderKind::unknown:
      break;
  }
  return "unknown";
}

}  // namespace volcrypt
