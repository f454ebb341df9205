#include "host_bench/qemu_luks_speed.hpp"

#include <fcntl.h>
#include <libcryptsetup.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string_view>
#include <vector>

#include "base/write_all.hpp"
#include "operations/program_output.hpp"

namespace volcrypt {
namespace {

// A folder that only root enters, removed with all it holds however the measure ends.
class ScratchFolder {
 public:
  ScratchFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "volcrypt-bench.XXXXXX");
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The passphrase in a 0600 file: QEMU reads it from there, never from a command line.
bool write_passphrase(const std::string& path, const std::string& passphrase) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool written = write_all(fd, passphrase);
  ::close(fd);
  return written;
}

// A LUKS1 file QEMU reads, formatted by libcryptsetup at LUKS1's fewest PBKDF2
// iterations and no timing: qemu-img times its PBKDF by CPU usage, which a busy host
// often cannot give it ("Unable to get accurate CPU usage"). Empty, or what failed.
std::string make_luks1_file(const std::string& path, const std::string& passphrase,
                            uint64_t bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot make " + path;
  const bool sized = ::ftruncate(fd, static_cast<off_t>(bytes)) == 0;  // room for the header
  ::close(fd);
  if (!sized) return "cannot size " + path;
  struct crypt_device* device = nullptr;
  if (crypt_init(&device, path.c_str()) < 0) return "libcryptsetup cannot open " + path;
  struct crypt_pbkdf_type pbkdf {};
  pbkdf.type = CRYPT_KDF_PBKDF2;
  pbkdf.hash = "sha256";
  pbkdf.iterations = 1000;
  pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
  std::string failed;
  if (crypt_set_pbkdf_type(device, &pbkdf) < 0 ||
      crypt_format(device, CRYPT_LUKS1, "aes", "xts-plain64", nullptr, nullptr, 64, nullptr) < 0 ||
      crypt_keyslot_add_by_volume_key(device, CRYPT_ANY_SLOT, nullptr, 0, passphrase.data(),
                                      passphrase.size()) < 0) {
    failed = "libcryptsetup cannot format " + path + " as LUKS1";
  }
  // The payload, after the header, is the size asked for (as qemu-img makes it).
  const uint64_t header_bytes = crypt_get_data_offset(device) * 512;
  crypt_free(device);
  if (failed.empty() && ::truncate(path.c_str(), static_cast<off_t>(header_bytes + bytes)) != 0) {
    failed = "cannot size " + path;
  }
  return failed;
}

std::string last_line(const std::string& text) {
  std::string_view view(text);
  while (!view.empty() && view.back() == '\n') view.remove_suffix(1);
  return std::string(
      view.substr(view.rfind('\n') == std::string_view::npos ? 0 : view.rfind('\n') + 1));
}

}  // namespace

QemuReadSpeed measure_qemu_reads(uint64_t volume_bytes) {
  QemuReadSpeed out;
  ScratchFolder folder;
  if (folder.path().empty()) {
    out.skipped =
        "no scratch folder could be made in " + std::filesystem::temp_directory_path().string();
    return out;
  }
  const std::string key = folder.path() + "/passphrase";
  const std::string volume = folder.path() + "/volume.luks";
  std::random_device random;
  std::string passphrase;
  for (int i = 0; i < 32; ++i) passphrase += "0123456789abcdef"[random() % 16];
  if (!write_passphrase(key, passphrase)) {
    out.skipped = "the scratch passphrase could not be written in " + folder.path();
    return out;
  }
  const std::string secret = "secret,id=bench-key,file=" + key;
  const std::string size = std::to_string(volume_bytes);
  if (std::string failed = make_luks1_file(volume, passphrase, volume_bytes); !failed.empty()) {
    out.skipped = "the scratch LUKS volume could not be made: " + failed;
    return out;
  }
  // Bytes per CPU-second of a whole read, less what a 4 KiB read of the same image costs.
  auto cpu_rate = [&](std::vector<std::string> image) -> uint64_t {
    std::vector<std::string> whole = image;
    whole.insert(whole.end(), {"-c", "read 0 " + size});
    image.insert(image.end(), {"-c", "read 0 4096"});
    const ProgramOutput base = run_program(image);
    const ProgramOutput timed = run_program(whole);
    const double seconds = timed.cpu_seconds - base.cpu_seconds;
    if (base.exit_status != 0 || timed.exit_status != 0 || seconds <= 0) return 0;
    return static_cast<uint64_t>(static_cast<double>(volume_bytes) / seconds);
  };
  const std::vector<std::string> luks_image = {
      "qemu-io",      "-r",
      "--object",     secret,
      "--image-opts", "driver=luks,key-secret=bench-key,file.driver=file,file.filename=" + volume};
  out.luks_bytes_per_second = cpu_rate(luks_image);
  out.raw_bytes_per_second = cpu_rate({"qemu-io", "-r", "-f", "raw", volume});
  if (out.luks_bytes_per_second == 0) {
    std::vector<std::string> small_read = luks_image;
    small_read.insert(small_read.end(), {"-c", "read 0 4096"});
    const ProgramOutput failed = run_program(small_read);
    out.skipped = failed.started
                      ? "qemu-io could not read the scratch LUKS volume: " + last_line(failed.text)
                      : "qemu-io is not installed (package qemu-utils)";
  }
  return out;
}

}  // namespace volcrypt
