#include "test_volumes.hpp"

#include <libcryptsetup.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

namespace volcrypt::test_volumes {
namespace {

// Keeps libcryptsetup's messages off the test output.
void quiet(int /*level*/, const char* /*message*/, void* /*unused*/) {}

[[noreturn]] void fail(const std::string& what, int rc) {
  throw std::runtime_error(what + " failed: " + std::to_string(rc));
}

// A device handle with the header loaded; freed on scope exit.
class LoadedHeader {
 public:
  explicit LoadedHeader(const std::string& path) {
    crypt_set_log_callback(nullptr, &quiet, nullptr);
    if (int rc = crypt_init(&device_, path.c_str()); rc < 0) fail("crypt_init", rc);
    crypt_set_log_callback(device_, &quiet, nullptr);
    if (int rc = crypt_load(device_, CRYPT_LUKS, nullptr); rc < 0) fail("crypt_load", rc);
  }
  ~LoadedHeader() { crypt_free(device_); }
  LoadedHeader(const LoadedHeader&) = delete;
  LoadedHeader& operator=(const LoadedHeader&) = delete;
  crypt_device* get() const { return device_; }

 private:
  crypt_device* device_ = nullptr;
};

}  // namespace

ScratchDir::ScratchDir() {
  char name[] = "/tmp/volcrypt-test-XXXXXX";
  if (mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = name;
  // 0755: QEMU (running as libvirt-qemu) must reach volumes here, and the plugin
  // loader refuses folders others can write.
  std::filesystem::permissions(path_, std::filesystem::perms(0755));
}

std::string ScratchDir::folder(const std::string& name) const {
  const auto path = path_ / name;
  std::filesystem::create_directories(path);
  std::filesystem::permissions(path, std::filesystem::perms(0755));
  return path.string();
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void make_blank_file(const std::string& path, size_t size) {
  { std::ofstream create(path, std::ios::binary | std::ios::trunc); }
  std::filesystem::resize_file(path, size);
}

void write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

mode_t mode_of(const std::string& path) {
  struct stat status {};
  if (::lstat(path.c_str(), &status) != 0) throw std::runtime_error("cannot look at " + path);
  return status.st_mode & 07777;
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<uint8_t> bytes(std::filesystem::file_size(path));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size())) {
    throw std::runtime_error("short read of " + path);
  }
  return bytes;
}

void make_luks_volume(const std::string& path, LuksVersion version, std::string_view passphrase,
                      size_t size) {
  // A LUKS2 header with its key slot area takes 16 MiB by default.
  if (size == 0) size = (version == LuksVersion::luks1 ? 8 : 32) * 1024 * 1024;
  make_blank_file(path, size);
  crypt_set_log_callback(nullptr, &quiet, nullptr);
  crypt_device* device = nullptr;
  if (int rc = crypt_init(&device, path.c_str()); rc < 0) fail("crypt_init", rc);
  struct Free {
    crypt_device* device;
    ~Free() { crypt_free(device); }
  } free_device{device};
  crypt_set_log_callback(device, &quiet, nullptr);

  crypt_pbkdf_type pbkdf{};
  pbkdf.type = CRYPT_KDF_PBKDF2;
  pbkdf.hash = "sha256";
  pbkdf.iterations = 1000;  // libcryptsetup's minimum: fast, and no timing benchmark
  pbkdf.flags = CRYPT_PBKDF_NO_BENCHMARK;
  if (int rc = crypt_set_pbkdf_type(device, &pbkdf); rc < 0) fail("crypt_set_pbkdf_type", rc);

  int rc = 0;
  if (version == LuksVersion::luks1) {
    crypt_params_luks1 params{};
    params.hash = "sha256";
    rc = crypt_format(device, CRYPT_LUKS1, "aes", "xts-plain64", nullptr, nullptr, 64, &params);
  } else {
    crypt_params_luks2 params{};
    params.pbkdf = &pbkdf;
    params.sector_size = 512;
    rc = crypt_format(device, CRYPT_LUKS2, "aes", "xts-plain64", nullptr, nullptr, 64, &params);
  }
  if (rc < 0) fail("crypt_format", rc);
  rc = crypt_keyslot_add_by_volume_key(device, CRYPT_ANY_SLOT, nullptr, 0, passphrase.data(),
                                       passphrase.size());
  if (rc < 0) fail("crypt_keyslot_add_by_volume_key", rc);
}

LuksDescription describe_luks(const std::string& path) {
  LoadedHeader header(path);
  LuksDescription out;
  const char* type = crypt_get_type(header.get());
  out.type = type ? type : "";
  out.cipher =
      std::string(crypt_get_cipher(header.get())) + "-" + crypt_get_cipher_mode(header.get());
  out.key_bits = crypt_get_volume_key_size(header.get()) * 8;
  crypt_pbkdf_type pbkdf{};
  if (crypt_keyslot_get_pbkdf(header.get(), 0, &pbkdf) == 0)
    out.slot0_iterations = pbkdf.iterations;
  out.data_offset = crypt_get_data_offset(header.get()) * 512;
  return out;
}

bool luks_passphrase_opens(const std::string& path, std::string_view passphrase) {
  LoadedHeader header(path);
  return crypt_activate_by_passphrase(header.get(), nullptr, CRYPT_ANY_SLOT, passphrase.data(),
                                      passphrase.size(), 0) >= 0;
}

}  // namespace volcrypt::test_volumes
