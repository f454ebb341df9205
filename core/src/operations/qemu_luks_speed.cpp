#include "operations/qemu_luks_speed.hpp"

#include <fcntl.h>
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

// A random passphrase in a 0600 file: QEMU reads it from there, never from a command line.
bool write_passphrase(const std::string& path) {
  std::random_device random;
  std::string passphrase;
  for (int i = 0; i < 32; ++i) passphrase += "0123456789abcdef"[random() % 16];
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  const bool written = write_all(fd, passphrase);
  ::close(fd);
  return written;
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
  if (!write_passphrase(key)) {
    out.skipped = "the scratch passphrase could not be written in " + folder.path();
    return out;
  }
  const std::string secret = "secret,id=bench-key,file=" + key;
  const std::string size = std::to_string(volume_bytes);
  // qemu-img times its PBKDF by CPU usage and sometimes cannot ("Unable to get accurate
  // CPU usage"): try again, it is not a property of this host.
  ProgramOutput made;
  for (int attempt = 0; attempt < 4 && made.exit_status != 0; ++attempt) {
    made = run_program({"qemu-img", "create", "-q", "--object", secret, "-f", "luks", "-o",
                        "key-secret=bench-key,iter-time=10", volume, size});
    if (!made.started) {
      out.skipped = "qemu-img is not installed (package qemu-utils)";
      return out;
    }
  }
  if (made.exit_status != 0) {
    out.skipped = "qemu-img could not make the scratch LUKS volume: " + last_line(made.text);
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
