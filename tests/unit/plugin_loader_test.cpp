// load_plugin_file against the fixture plugins: one refusal message per way a file can
// fail, and a good plugin's descriptor read back.
#include "plugin_host/plugin_loader.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <volcrypt/plugin_contract.hpp>

#include "plugin_host/provider_names.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

namespace fs = std::filesystem;

const std::string kHostAbi =
    std::to_string(VOLCRYPT_ABI_MAJOR) + "." + std::to_string(VOLCRYPT_ABI_MINOR);

// A fresh folder per test, as a deployer's plugin directory would be: root-owned, 0755.
class PluginLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = scratch_.path(); }

  test_volumes::ScratchDir scratch_;  // mode 0755, removed after the test

  fs::path copy_fixture(const std::string& name) {
    const fs::path target = dir_ / name;
    fs::copy_file(fs::path(VOLCRYPT_FIXTURE_DIR) / name, target);
    fs::permissions(target, static_cast<fs::perms>(0755));
    return target;
  }

  std::string refusal_of(const std::string& fixture) {
    const fs::path file = copy_fixture(fixture);
    LoadOutcome outcome = load_plugin_file(file);
    EXPECT_EQ(outcome.plugin, nullptr) << fixture << " should have been refused";
    return outcome.refusal;
  }

  fs::path dir_;
};

TEST_F(PluginLoaderTest, RefusesAFileThatIsNotASharedLibrary) {
  const fs::path file = dir_ / "text.so";
  std::ofstream(file) << std::string(200, 'x') << "\n";
  LoadOutcome outcome = load_plugin_file(file);
  EXPECT_EQ(outcome.plugin, nullptr);
  EXPECT_EQ(outcome.refusal, file.string() + ": not a loadable shared library: " + file.string() +
                                 ": invalid ELF header");
}

TEST_F(PluginLoaderTest, RefusesAMissingFile) {
  const fs::path file = dir_ / "missing.so";
  EXPECT_EQ(load_plugin_file(file).refusal,
            file.string() + ": not a loadable shared library: " + file.string() +
                ": cannot open shared object file: No such file or directory");
}

TEST_F(PluginLoaderTest, RefusesALinkToAFifoWithoutWaitingOnIt) {
  // dlopen would block forever on a FIFO with no writer.
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0644), 0);
  const fs::path file = dir_ / "x.so";
  fs::create_symlink(fifo, file);
  EXPECT_EQ(load_plugin_file(file).refusal, file.string() + ": not a regular file (it is a FIFO)");
  const fs::path device = dir_ / "zero.so";
  fs::create_symlink("/dev/zero", device);
  EXPECT_EQ(load_plugin_file(device).refusal,
            device.string() + ": not a regular file (it is a character device)");
}

TEST_F(PluginLoaderTest, RefusesASharedLibraryWithoutEntryPoint) {
  EXPECT_EQ(refusal_of("not_a_plugin.so"),
            (dir_ / "not_a_plugin.so").string() +
                ": not a volcrypt plugin (no volcrypt_plugin_entry entry point)");
}

// The fixture's entry point aborts: reaching this check at all proves it was not called.
TEST_F(PluginLoaderTest, RefusesAWrongMajorAbiWithoutCallingThePlugin) {
  EXPECT_EQ(refusal_of("wrong_abi_major.so"),
            (dir_ / "wrong_abi_major.so").string() +
                ": plugin ABI 2.0 does not match the host's ABI " + kHostAbi +
                " (major versions must be equal)");
}

TEST_F(PluginLoaderTest, RefusesANewerMinorAbiWithoutCallingThePlugin) {
  EXPECT_EQ(refusal_of("future_abi_minor.so"),
            (dir_ / "future_abi_minor.so").string() +
                ": plugin needs ABI 1.99 but the host provides " + kHostAbi);
}

TEST_F(PluginLoaderTest, RefusesAnEntryPointThatReturnsNothing) {
  EXPECT_EQ(refusal_of("null_entry.so"),
            (dir_ / "null_entry.so").string() +
                ": the entry point returned no plugin (initialization failed)");
}

TEST_F(PluginLoaderTest, RefusesAnEntryPointThatThrows) {
  EXPECT_EQ(refusal_of("throwing_entry.so"),
            (dir_ / "throwing_entry.so").string() +
                ": the entry point threw a C++ exception across the C boundary");
}

TEST_F(PluginLoaderTest, RefusesADescriptorWithoutProviders) {
  EXPECT_EQ(refusal_of("malformed_descriptor.so"),
            (dir_ / "malformed_descriptor.so").string() +
                ": malformed plugin descriptor: the provider list is empty: the plugin would serve "
                "nothing");
}

TEST_F(PluginLoaderTest, RefusesADescriptorWithAnInvalidId) {
  EXPECT_EQ(refusal_of("malformed_id.so"),
            (dir_ / "malformed_id.so").string() +
                ": malformed plugin descriptor: id 'Fixture_Malformed' may only contain a-z, 0-9 "
                "and '-'");
}

TEST_F(PluginLoaderTest, RefusesADescriptorWhoseAbiDiffersFromTheExportedOne) {
  EXPECT_EQ(refusal_of("malformed_abi_fields.so"),
            (dir_ / "malformed_abi_fields.so").string() +
                ": malformed plugin descriptor: the descriptor says ABI " +
                std::to_string(VOLCRYPT_ABI_MAJOR) + "." + std::to_string(VOLCRYPT_ABI_MINOR + 1) +
                " but volcrypt_plugin_abi says " + kHostAbi);
}

TEST_F(PluginLoaderTest, RefusesADescriptorWithoutReleaseFunction) {
  EXPECT_EQ(refusal_of("malformed_no_release.so"),
            (dir_ / "malformed_no_release.so").string() +
                ": malformed plugin descriptor: missing function(s): release");
}

TEST_F(PluginLoaderTest, RefusesADescriptorThatIsTooSmall) {
  EXPECT_EQ(refusal_of("malformed_struct_size.so"),
            (dir_ / "malformed_struct_size.so").string() +
                ": malformed plugin descriptor: struct_size is 8 bytes but ABI 1.0 needs " +
                std::to_string(contract::kAbi10DescriptorSize) +
                " (set it to sizeof(volcrypt_plugin))");
}

// ABI 1.0's descriptor ends with capabilities; the struct's trailing padding is not part
// of the contract, and fields a later minor appends are optional.
TEST_F(PluginLoaderTest, LoadsADescriptorEndingExactlyWithAbi10sLastField) {
  ASSERT_LT(contract::kAbi10DescriptorSize, sizeof(volcrypt_plugin)) << "no padding to test";
  LoadOutcome outcome = load_plugin_file(copy_fixture("abi10_exact_size.so"));
  ASSERT_NE(outcome.plugin, nullptr) << outcome.refusal;
  EXPECT_EQ(outcome.plugin->descriptor().struct_size, contract::kAbi10DescriptorSize);
  EXPECT_EQ(outcome.plugin->id(), "fixture-abi10-exact-size");
}

TEST_F(PluginLoaderTest, RefusesADescriptorOneFieldShortOfAbi10) {
  EXPECT_EQ(refusal_of("malformed_one_field_short.so"),
            (dir_ / "malformed_one_field_short.so").string() +
                ": malformed plugin descriptor: struct_size is " +
                std::to_string(offsetof(volcrypt_plugin, capabilities)) +
                " bytes but ABI 1.0 needs " + std::to_string(contract::kAbi10DescriptorSize) +
                " (set it to sizeof(volcrypt_plugin))");
}

TEST_F(PluginLoaderTest, LoadsAGoodPluginAndReadsItsDescriptor) {
  const fs::path file = copy_fixture("good_fixture.so");
  LoadOutcome outcome = load_plugin_file(file);
  ASSERT_NE(outcome.plugin, nullptr) << outcome.refusal;
  EXPECT_EQ(outcome.refusal, "");
  const LoadedPlugin& plugin = *outcome.plugin;
  EXPECT_EQ(plugin.file(), file);
  EXPECT_TRUE(plugin.library().is_loaded());
  EXPECT_STREQ(plugin.descriptor().id, "fixture-good");
  EXPECT_EQ(plugin.id(), "fixture-good");
  EXPECT_EQ(plugin.version(), "1.0.0");
  EXPECT_EQ(plugin.summary(), "Fixture: a valid plugin");
  EXPECT_EQ(plugin.abi_major(), VOLCRYPT_ABI_MAJOR);
  EXPECT_EQ(plugin.abi_minor(), VOLCRYPT_ABI_MINOR);
  EXPECT_EQ(plugin.providers(), std::vector<std::string>{"fixture"});
}

TEST_F(PluginLoaderTest, LoadedProvidersAreMatchedExactly) {
  LoadOutcome outcome = load_plugin_file(copy_fixture("good_fixture.so"));
  ASSERT_NE(outcome.plugin, nullptr) << outcome.refusal;
  const auto& providers = outcome.plugin->providers();
  EXPECT_TRUE(serves_provider(providers, "fixture"));
  EXPECT_FALSE(serves_provider(providers, "Fixture"));
  EXPECT_FALSE(serves_provider(providers, "fixtur"));
  EXPECT_FALSE(serves_provider(providers, "fixture "));
  EXPECT_FALSE(serves_provider(providers, ""));
}

// Both probe fixtures are valid plugins: they load, and fail only when probed.
TEST_F(PluginLoaderTest, SdkPluginReportsAThrowingProbeAsAFailure) {
  LoadOutcome outcome = load_plugin_file(copy_fixture("probe_fails.so"));
  ASSERT_NE(outcome.plugin, nullptr) << outcome.refusal;
  volcrypt_host host{};
  host.struct_size = sizeof(host);
  volcrypt_volume volume{};
  volume.struct_size = sizeof(volume);
  char reason[128] = "";
  char message[128] = "";
  volcrypt_error error{message, sizeof(message)};
  EXPECT_LT(outcome.plugin->descriptor().probe(&host, &volume, reason, sizeof(reason), &error), 0);
  EXPECT_STREQ(message, "fixture probe failure");
}

TEST_F(PluginLoaderTest, RawPluginWhoseProbeThrowsLoadsAndItsExceptionCanBeCaught) {
  LoadOutcome outcome = load_plugin_file(copy_fixture("probe_throws_raw.so"));
  ASSERT_NE(outcome.plugin, nullptr) << outcome.refusal;
  EXPECT_EQ(outcome.plugin->id(), "fixture-probe-throws-raw");
  volcrypt_host host{};
  volcrypt_volume volume{};
  char reason[128] = "";
  char message[128] = "";
  volcrypt_error error{message, sizeof(message)};
  bool caught = false;
  try {
    outcome.plugin->descriptor().probe(&host, &volume, reason, sizeof(reason), &error);
  } catch (...) {
    caught = true;
  }
  EXPECT_TRUE(caught);
}

}  // namespace
}  // namespace volcrypt
