#include "scratch_volumes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>
#include <volcrypt/plugin_contract.hpp>

namespace volcrypt::conformance {
namespace {

// Several times the host's blank check: a plugin formats inside the first
// kBlankCheckBytes (LUKS2 with its key slots fills them) and still has data after it.
constexpr off_t kVolumeSize = 4 * contract::kBlankCheckBytes;

void put_be32(std::vector<uint8_t>& out, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[offset + i] = static_cast<uint8_t>(value >> (24 - 8 * i));
}

void put_text(std::vector<uint8_t>& out, size_t offset, const char* text) {
  std::memcpy(out.data() + offset, text, std::strlen(text));
}

// A LUKS1 phdr (the on-disk layout of the LUKS1 specification) with every key slot
// disabled: it reads as LUKS1, but no passphrase opens it.
std::vector<uint8_t> luks1_header() {
  std::vector<uint8_t> h(4096, 0);
  const uint8_t magic[] = {'L', 'U', 'K', 'S', 0xba, 0xbe, 0x00, 0x01};
  std::memcpy(h.data(), magic, sizeof(magic));
  put_text(h, 8, "aes");
  put_text(h, 40, "xts-plain64");
  put_text(h, 72, "sha256");
  put_be32(h, 104, 4096);  // payload offset, sectors
  put_be32(h, 108, 64);    // master key bytes
  put_be32(h, 164, 1000);  // master key digest iterations
  put_text(h, 168, "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
  for (uint32_t slot = 0; slot < 8; ++slot) {
    const size_t base = 208 + slot * 48;
    put_be32(h, base, 0x0000DEAD);           // disabled
    put_be32(h, base + 40, 8 + slot * 504);  // key material offset, sectors
    put_be32(h, base + 44, 4000);            // anti-forensic stripes
  }
  return h;
}

// The LUKS2 binary header's start: magic, version 2. Enough for a header check.
std::vector<uint8_t> luks2_header() {
  std::vector<uint8_t> h(4096, 0);
  const uint8_t magic[] = {'L', 'U', 'K', 'S', 0xba, 0xbe, 0x00, 0x02};
  std::memcpy(h.data(), magic, sizeof(magic));
  put_be32(h, 12, 16384);  // header size, low half of the 64-bit field
  return h;
}

void write_volume(const std::filesystem::path& path, const std::vector<uint8_t>& start) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(path.string() + ": " + std::strerror(errno));
  bool ok = start.empty() ||
            ::write(fd, start.data(), start.size()) == static_cast<ssize_t>(start.size());
  ok = ok && ::ftruncate(fd, kVolumeSize) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error(path.string() + ": cannot write the scratch volume");
}

std::vector<uint8_t> other_data() {
  const std::string line = "volcrypt conformance: a volume holding ordinary data, not LUKS\n";
  std::vector<uint8_t> out;
  while (out.size() < 65536) out.insert(out.end(), line.begin(), line.end());
  return out;
}

}  // namespace

ScratchVolumes::ScratchVolumes(std::filesystem::path folder) : folder_(std::move(folder)) {
  write_volume(path(VolumeFile::blank), {});
  write_volume(path(VolumeFile::luks1), luks1_header());
  write_volume(path(VolumeFile::luks2), luks2_header());
  write_volume(path(VolumeFile::other), other_data());
}

std::string ScratchVolumes::path(VolumeFile file) const {
  return (folder_ / (std::string(name(file)) + ".img")).string();
}

uint32_t ScratchVolumes::header_kind(VolumeFile file) {
  switch (file) {
    case VolumeFile::blank:
      return VOLCRYPT_HEADER_BLANK;
    case VolumeFile::luks1:
      return VOLCRYPT_HEADER_LUKS1;
    case VolumeFile::luks2:
      return VOLCRYPT_HEADER_LUKS2;
    case VolumeFile::other:
      return VOLCRYPT_HEADER_OTHER;
  }
  return VOLCRYPT_HEADER_UNKNOWN;
}

const char* ScratchVolumes::name(VolumeFile file) {
  switch (file) {
    case VolumeFile::blank:
      return "blank";
    case VolumeFile::luks1:
      return "luks1";
    case VolumeFile::luks2:
      return "luks2";
    case VolumeFile::other:
      return "other-data";
  }
  return "?";
}

std::map<std::string, std::string> ScratchVolumes::snapshot() const {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(folder_, ec), end; !ec && it != end;
       it.increment(ec)) {
    struct stat st {};
    if (lstat(it->path().c_str(), &st) != 0) continue;
    out[std::filesystem::relative(it->path(), folder_).string()] =
        std::to_string(st.st_size) + "@" + std::to_string(st.st_mtim.tv_sec) + "." +
        std::to_string(st.st_mtim.tv_nsec);
  }
  return out;
}

std::string ScratchVolumes::difference(const std::map<std::string, std::string>& before,
                                       const std::map<std::string, std::string>& after,
                                       bool count_changes) {
  std::string out;
  auto add = [&](const std::string& what) { out += (out.empty() ? "" : ", ") + what; };
  for (const auto& [name, stamp] : after) {
    auto it = before.find(name);
    if (it == before.end()) {
      add("created " + name);
    } else if (count_changes && it->second != stamp) {
      add("wrote " + name);
    }
  }
  for (const auto& [name, stamp] : before) {
    if (after.count(name) == 0) add("removed " + name);
  }
  return out;
}

std::filesystem::path make_scratch_folder() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/volcrypt-plugin-check.XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (mkdtemp(name.data()) == nullptr) {
    throw std::runtime_error(pattern + ": cannot make a scratch folder: " + std::strerror(errno));
  }
  return name.data();
}

}  // namespace volcrypt::conformance
