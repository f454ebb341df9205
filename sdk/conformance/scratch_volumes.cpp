#include "scratch_volumes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>
#include <volcrypt/plugin.hpp>
#include <volcrypt/plugin_contract.hpp>

#include "attachment_record.hpp"
#include "fake_host.hpp"
#include "luks_format.hpp"

namespace volcrypt::conformance {
namespace {

// Several times the host's blank check: a plugin formats inside the first
// kBlankCheckBytes (LUKS2 with its key slots fills them) and still has data after it.
constexpr off_t kVolumeSize = 4 * contract::kBlankCheckBytes;

// The first kBlankCheckBytes of a LUKS1 and a LUKS2 volume make_luks_headers formatted:
// header and key slots, all of it inside the bytes the host's blank check reads.
std::vector<uint8_t>& formatted_header(VolumeFile file) {
  static std::vector<uint8_t> luks1;
  static std::vector<uint8_t> luks2;
  return file == VolumeFile::luks1 ? luks1 : luks2;
}

std::vector<uint8_t> read_start(const std::filesystem::path& path) {
  std::vector<uint8_t> out(contract::kBlankCheckBytes);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
  if (in.gcount() != static_cast<std::streamsize>(out.size())) {
    throw std::runtime_error(path.string() + ": cannot read the formatted LUKS header");
  }
  return out;
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

std::vector<uint8_t> initial_bytes(VolumeFile file) {
  switch (file) {
    case VolumeFile::luks1:
    case VolumeFile::luks2:
      return formatted_header(file);
    case VolumeFile::other:
      return other_data();
    case VolumeFile::blank:
      break;
  }
  return {};
}

}  // namespace

void make_luks_headers() {
  const std::filesystem::path folder = make_scratch_folder();
  // The bundled plugins' formatting (fixed key-derivation costs, no CPU benchmark);
  // libcryptsetup's messages go to a host nobody reads.
  FakeHost host(qemu_host_without_dm_crypt(), recording_attachment_services());
  const sdk::Host services(host.table());
  const auto* passphrase = reinterpret_cast<const uint8_t*>(kScratchPassphrase);
  const std::span key(passphrase, sizeof(kScratchPassphrase) - 1);
  try {
    for (auto [file, version] : {std::pair(VolumeFile::luks1, dm::LuksVersion::luks1),
                                 std::pair(VolumeFile::luks2, dm::LuksVersion::luks2)}) {
      const std::filesystem::path image =
          folder / (std::string(ScratchVolumes::name(file)) + ".img");
      write_volume(image, {});
      dm::format_blank_luks(services, image.string(), version, dm::luks_cipher_for("", 0), key);
      formatted_header(file) = read_start(image);
    }
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(folder, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::remove_all(folder, ec);
}

ScratchVolumes::ScratchVolumes(std::filesystem::path folder) : folder_(std::move(folder)) {
  if (formatted_header(VolumeFile::luks1).empty()) make_luks_headers();
  for (VolumeFile file :
       {VolumeFile::blank, VolumeFile::luks1, VolumeFile::luks2, VolumeFile::other}) {
    write_volume(path(file), initial_bytes(file));
  }
}

void ScratchVolumes::reset(VolumeFile file) {
  std::error_code ec;
  std::filesystem::remove(path(file), ec);
  write_volume(path(file), initial_bytes(file));
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
