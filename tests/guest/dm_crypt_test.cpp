#include "dm_crypt_test.hpp"

#include <fstream>
#include <iomanip>
#include <sstream>

#include "direct_mapping.hpp"

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

}  // namespace volcrypt::guest
