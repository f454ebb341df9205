#include "host_tools.hpp"

#include <sys/stat.h>

#include <stdexcept>

#include "process.hpp"

namespace volcrypt::test {

LoopDevice::LoopDevice(const std::string& backing_file) {
  ProcessResult r = run_process({"losetup", "--find", "--show", backing_file});
  if (r.exit_code != 0) throw std::runtime_error("losetup failed: " + r.err);
  path_ = r.out.substr(0, r.out.find('\n'));
}

LoopDevice::~LoopDevice() {
  if (!path_.empty()) run_process({"losetup", "--detach", path_});
}

std::string qemu_io_luks(const std::string& volume, const std::string& passphrase_file,
                         const std::string& command) {
  struct stat st {};
  const bool block = stat(volume.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
  const std::string driver = block ? "host_device" : "file";
  ProcessResult r = run_process(
      {"qemu-io", "--object", "secret,id=vc-key,file=" + passphrase_file, "--image-opts",
       "driver=luks,key-secret=vc-key,file.driver=" + driver + ",file.filename=" + volume, "-c",
       command});
  if (r.exit_code != 0 || r.out.find("failed") != std::string::npos) {
    throw std::runtime_error("qemu-io '" + command + "' on " + volume + " failed: " + r.out +
                             r.err);
  }
  return r.out;
}

}  // namespace volcrypt::test
