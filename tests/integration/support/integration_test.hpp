// The base of every integration test: a real libvirtd at qemu:///system, a scratch
// folder QEMU can reach, a fresh random passphrase in a key file, and the built
// `volcrypt` program run exactly as a compute agent runs it.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "libvirt_checks.hpp"
#include "process.hpp"
#include "test_domain.hpp"
#include "test_volumes.hpp"

namespace volcrypt::test {

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A name unique to this test run, e.g. "vc-it-1234-3-prefix".
  std::string unique(const std::string& prefix);
  std::string path(const std::string& name) const;

  // Runs volcrypt under `launcher`, if any. A hang_deadline bounds how long the call may
  // take before it is taken for hung and killed (ProcessResult::hung); without one it is
  // waited for.
  ProcessResult volcrypt(const std::vector<std::string>& args, const std::string& input = {},
                         std::optional<std::chrono::seconds> hang_deadline = std::nullopt);
  // A LUKS1 volume (file) opened by the test passphrase whose first MiB of plaintext is
  // `pattern`, written through QEMU's own LUKS code on the host.
  std::string make_luks1_with_pattern(const std::string& name, int pattern);
  std::unique_ptr<TestDomain> running_domain(const std::string& prefix);

  // The passphrase must not show in anything the program printed.
  void expect_no_secret_in(const ProcessResult& result) const;
  void expect_no_secret_in(const std::string& text, const std::string& what) const;

  std::unique_ptr<Connection> connection;
  std::unique_ptr<test_volumes::ScratchDir> scratch;
  std::string passphrase;
  std::string passphrase_file;
  std::vector<std::string> volume_ids;  // secrets of these are removed after the test
  // A command volcrypt runs under (e.g. SyslogListener::launcher()); empty: none.
  std::vector<std::string> launcher;
};

}  // namespace volcrypt::test
