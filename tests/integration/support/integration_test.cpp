#include "integration_test.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "host_tools.hpp"

namespace volcrypt::test {
namespace {

std::string random_hex(size_t bytes) {
  std::random_device random;
  std::ostringstream out;
  for (size_t i = 0; i < bytes; ++i) {
    out << std::hex << ((random() >> 4) & 0xf) << (random() & 0xf);
  }
  return out.str();
}

}  // namespace

void IntegrationTest::SetUp() {
  connection = std::make_unique<Connection>();
  scratch = std::make_unique<test_volumes::ScratchDir>();
  // QEMU runs as libvirt-qemu and must traverse the folder to open the volumes.
  chmod(scratch->path().c_str(), 0755);
  passphrase = "pass-" + random_hex(12);
  passphrase_file = path("passphrase");
  test_volumes::write_file(passphrase_file, passphrase);
  // As a deployer keeps it: volcrypt warns about a key file others can read.
  chmod(passphrase_file.c_str(), 0600);
}

void IntegrationTest::TearDown() {
  for (const auto& id : volume_ids) {
    for (const auto& uuid : secrets_for_volume(connection->get(), id)) {
      undefine_secret_if_present(connection->get(), uuid);
    }
  }
}

std::string IntegrationTest::unique(const std::string& prefix) {
  static int counter = 0;
  return "vc-it-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" + prefix;
}

std::string IntegrationTest::path(const std::string& name) const { return scratch->file(name); }

ProcessResult IntegrationTest::volcrypt(const std::vector<std::string>& args,
                                        const std::string& input,
                                        std::optional<std::chrono::seconds> hang_deadline) {
  std::vector<std::string> argv = launcher;
  argv.push_back(VOLCRYPT_BINARY);
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult result = run_process(argv, input, {}, hang_deadline);
  expect_no_secret_in(result);
  return result;
}

std::string IntegrationTest::make_luks1_with_pattern(const std::string& name, int pattern) {
  std::string volume = path(name);
  test_volumes::make_luks_volume(volume, test_volumes::LuksVersion::luks1, passphrase,
                                 8 * 1024 * 1024);
  qemu_io_luks(volume, passphrase_file, "write -P " + std::to_string(pattern) + " 0 1M");
  return volume;
}

std::unique_ptr<TestDomain> IntegrationTest::running_domain(const std::string& prefix) {
  return std::make_unique<TestDomain>(connection->get(), unique(prefix), DomainOptions{});
}

void IntegrationTest::expect_no_secret_in(const ProcessResult& result) const {
  expect_no_secret_in(result.out, "standard output");
  expect_no_secret_in(result.err, "standard error");
}

void IntegrationTest::expect_no_secret_in(const std::string& text, const std::string& what) const {
  EXPECT_EQ(text.find(passphrase), std::string::npos) << "the passphrase leaked into " << what;
}

}  // namespace volcrypt::test
