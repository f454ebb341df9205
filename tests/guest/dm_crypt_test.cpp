#include "dm_crypt_test.hpp"

#include <sys/stat.h>

#include <fstream>
#include <iomanip>
#include <sstream>

#include "direct_mapping.hpp"
#include "guest_paths.hpp"

namespace volcrypt::guest {

std::string random_passphrase() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[16] = {};
  random.read(reinterpret_cast<char*>(bytes), sizeof bytes);
  std::ostringstream hex;
  for (unsigned char b : bytes) hex << std::hex << std::setw(2) << std::setfill('0') << int(b);
  return hex.str();
}

void DmCryptTest::SetUp() {
  scratch = std::make_unique<test_volumes::ScratchDir>();
  passphrase = random_passphrase();
}

void DmCryptTest::TearDown() {
  for (const auto& mapping : mappings_) {
    try {
      close_mapping(mapping);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not clean up: " << e.what();
    }
  }
  loops_.clear();
  scratch.reset();
}

DmCryptTest::Volume DmCryptTest::loop_over(const std::string& file) {
  loops_.push_back(std::make_unique<test::LoopDevice>(file));
  Volume volume;
  volume.file = file;
  volume.device = loops_.back()->path();
  volume.name = volume.device.substr(volume.device.rfind('/') + 1);
  close_after(volume.mapping());
  close_after(volume.name);
  return volume;
}

DmCryptTest::Volume DmCryptTest::luks_volume(const std::string& name,
                                             test_volumes::LuksVersion version) {
  const std::string file = scratch->file(name);
  test_volumes::make_luks_volume(file, version, passphrase, kVolumeSize);
  return loop_over(file);
}

DmCryptTest::Volume DmCryptTest::blank_volume(const std::string& name) {
  const std::string file = scratch->file(name);
  test_volumes::make_blank_file(file, kVolumeSize);
  return loop_over(file);
}

std::string DmCryptTest::passphrase_file_for_volcrypt() {
  chmod(scratch->path().c_str(), 0755);
  const std::string keys = scratch->folder("keys");
  chmod(keys.c_str(), 0700);
  const std::string file = keys + "/passphrase";
  test_volumes::write_file(file, passphrase);
  chmod(file.c_str(), 0600);
  return file;
}

test::ProcessResult DmCryptTest::volcrypt(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {volcrypt_program()};
  argv.insert(argv.end(), args.begin(), args.end());
  const test::ProcessResult result = test::run_process(argv);
  expect_no_passphrase_in(result);
  return result;
}

void DmCryptTest::expect_no_passphrase_in(const test::ProcessResult& result) const {
  EXPECT_EQ((result.out + result.err).find(passphrase), std::string::npos)
      << "the passphrase leaked";
}

}  // namespace volcrypt::guest
