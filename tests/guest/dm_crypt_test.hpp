// The base of the plugin-level guest tests: a scratch folder, a fresh random passphrase,
// small volumes behind loop devices (block devices, as a cloud host hands them over), and
// clean-up of any mapping a failed test left open.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "host_tools.hpp"
#include "process.hpp"
#include "test_volumes.hpp"

namespace volcrypt::guest {

inline constexpr size_t kVolumeSize = 32u << 20;  // small volumes keep TCG runs short
inline constexpr size_t kPatternSize = 1u << 20;

std::string random_passphrase();

class DmCryptTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  struct Volume {
    std::string file;
    std::string device;  // /dev/loopN
    std::string name;    // loopN, os-brick's legacy mapping name
    std::string mapping() const { return "crypt-" + name; }
  };
  // A LUKS volume opened by passphrase, behind a loop device.
  Volume luks_volume(const std::string& name, test_volumes::LuksVersion version);
  // A file of zeros (blank) or of other data, behind a loop device.
  Volume blank_volume(const std::string& name);
  Volume loop_over(const std::string& file);
  // Closed in TearDown if a test left it open.
  void close_after(const std::string& mapping) { mappings_.push_back(mapping); }

  // For the tests that drive the built `volcrypt` against the VM's libvirtd: the
  // passphrase in a 0600 file of a 0700 folder, the scratch folder opened (0755) for QEMU,
  // which runs as libvirt-qemu and must reach the volumes.
  std::string passphrase_file_for_volcrypt();
  // The built volcrypt run with args; the passphrase must show nowhere in what it printed.
  test::ProcessResult volcrypt(const std::vector<std::string>& args);
  void expect_no_passphrase_in(const test::ProcessResult& result) const;

  std::unique_ptr<test_volumes::ScratchDir> scratch;
  std::string passphrase;

 private:
  std::vector<std::unique_ptr<test::LoopDevice>> loops_;
  std::vector<std::string> mappings_;
};

}  // namespace volcrypt::guest
