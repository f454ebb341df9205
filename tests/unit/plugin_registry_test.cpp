// PluginRegistry::scan over real folders of fixture plugins: order, trust checks,
// duplicates, and one bad plugin never stopping the others.
#include "plugin_host/plugin_registry.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "plugin_host/provider_names.hpp"
#include "test_volumes.hpp"

namespace volcrypt {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kRefusedFixtures = {
    "not_a_plugin.so",         "wrong_abi_major.so",
    "future_abi_minor.so",     "null_entry.so",
    "throwing_entry.so",       "malformed_descriptor.so",
    "malformed_id.so",         "malformed_abi_fields.so",
    "malformed_no_release.so", "malformed_struct_size.so",
};

class PluginRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = scratch_.path(); }

  test_volumes::ScratchDir scratch_;  // mode 0755, removed after the test

  // A plugin folder inside the test's temporary folder, mode 0755.
  fs::path folder(const std::string& name) {
    const fs::path path = root_ / name;
    fs::create_directories(path);
    fs::permissions(path, static_cast<fs::perms>(0755));
    return path;
  }

  fs::path copy_fixture(const std::string& fixture, const fs::path& into,
                        const std::string& as = "") {
    const fs::path target = into / (as.empty() ? fixture : as);
    fs::copy_file(fs::path(VOLCRYPT_FIXTURE_DIR) / fixture, target);
    fs::permissions(target, static_cast<fs::perms>(0755));
    return target;
  }

  static const PluginInfo* info_for(const PluginRegistry& registry, const fs::path& file) {
    for (const PluginInfo& info : registry.inventory()) {
      if (info.file == file.string()) return &info;
    }
    return nullptr;
  }

  fs::path root_;
};

TEST_F(PluginRegistryTest, LoadsAGoodPluginAndDescribesIt) {
  const fs::path plugins = folder("plugins");
  const fs::path file = copy_fixture("good_fixture.so", plugins);
  PluginRegistry registry;
  registry.scan({plugins.string()});

  ASSERT_EQ(registry.loaded().size(), 1u);
  ASSERT_EQ(registry.inventory().size(), 1u);
  const PluginInfo& info = registry.inventory()[0];
  EXPECT_EQ(info.file, file.string());
  EXPECT_TRUE(info.loaded);
  EXPECT_EQ(info.refusal, "");
  EXPECT_EQ(info.id, "fixture-good");
  EXPECT_EQ(info.version, "1.0.0");
  EXPECT_EQ(info.summary, "Fixture: a valid plugin");
  EXPECT_EQ(info.abi_major, VOLCRYPT_ABI_MAJOR);
  EXPECT_EQ(info.abi_minor, VOLCRYPT_ABI_MINOR);
  EXPECT_EQ(info.providers, std::vector<std::string>{"fixture"});

  ASSERT_NE(registry.find("fixture-good"), nullptr);
  EXPECT_EQ(registry.find("fixture-good")->file(), file);
  EXPECT_EQ(registry.find("fixture"), nullptr);
  EXPECT_EQ(registry.find("Fixture-Good"), nullptr);
}

TEST_F(PluginRegistryTest, RemembersEveryDirectoryAndSkipsMissingOnesSilently) {
  const fs::path first = folder("first");
  const fs::path missing = root_ / "missing";
  const fs::path second = folder("second");
  copy_fixture("probe_fails.so", first);
  copy_fixture("good_fixture.so", second);
  PluginRegistry registry;
  registry.scan({first.string(), missing.string(), second.string()});

  EXPECT_EQ(registry.searched_directories(),
            (std::vector<std::string>{first.string(), missing.string(), second.string()}));
  ASSERT_EQ(registry.inventory().size(), 2u);
  EXPECT_EQ(registry.inventory()[0].id, "fixture-probe-fails");
  EXPECT_EQ(registry.inventory()[1].id, "fixture-good");
  EXPECT_EQ(registry.loaded().size(), 2u);
}

TEST_F(PluginRegistryTest, ReadsOnlySoFilesSortedByName) {
  const fs::path plugins = folder("plugins");
  copy_fixture("good_fixture.so", plugins, "b.so");
  copy_fixture("probe_fails.so", plugins, "a.so");
  copy_fixture("duplicate_a.so", plugins, "c.so.disabled");
  std::ofstream(plugins / "README") << "not a plugin\n";
  fs::create_directory(plugins / "sub.so");
  PluginRegistry registry;
  registry.scan({plugins.string()});

  ASSERT_EQ(registry.inventory().size(), 2u);
  EXPECT_EQ(registry.inventory()[0].file, (plugins / "a.so").string());
  EXPECT_EQ(registry.inventory()[1].file, (plugins / "b.so").string());
}

TEST_F(PluginRegistryTest, RefusesASecondPluginWithTheSameId) {
  const fs::path plugins = folder("plugins");
  const fs::path a = copy_fixture("duplicate_a.so", plugins);
  const fs::path b = copy_fixture("duplicate_b.so", plugins);
  PluginRegistry registry;
  registry.scan({plugins.string()});

  ASSERT_EQ(registry.loaded().size(), 1u);
  ASSERT_NE(registry.find("fixture-duplicate"), nullptr);
  EXPECT_EQ(registry.find("fixture-duplicate")->version(), "1.0.0-a");
  const PluginInfo* refused = info_for(registry, b);
  ASSERT_NE(refused, nullptr);
  EXPECT_FALSE(refused->loaded);
  EXPECT_EQ(refused->refusal, b.string() +
                                  ": duplicate plugin id 'fixture-duplicate' (already "
                                  "loaded from " +
                                  a.string() + ")");
}

TEST_F(PluginRegistryTest, TheEarlierDirectoryWinsADuplicateId) {
  const fs::path local = folder("local");
  const fs::path packaged = folder("packaged");
  const fs::path b = copy_fixture("duplicate_b.so", local);
  const fs::path a = copy_fixture("duplicate_a.so", packaged);
  PluginRegistry registry;
  registry.scan({local.string(), packaged.string()});

  ASSERT_NE(registry.find("fixture-duplicate"), nullptr);
  EXPECT_EQ(registry.find("fixture-duplicate")->version(), "1.0.0-b");
  ASSERT_NE(info_for(registry, a), nullptr);
  EXPECT_EQ(info_for(registry, a)->refusal,
            a.string() + ": duplicate plugin id 'fixture-duplicate' (already loaded from " +
                b.string() + ")");
}

TEST_F(PluginRegistryTest, RefusedPluginsDoNotStopAGoodOneLoading) {
  const fs::path plugins = folder("plugins");
  for (const std::string& fixture : kRefusedFixtures) copy_fixture(fixture, plugins);
  // Named to sort after every refused file: the scan must go on past each refusal.
  const fs::path good = copy_fixture("good_fixture.so", plugins, "zz_good_fixture.so");
  PluginRegistry registry;
  registry.scan({plugins.string()});

  ASSERT_EQ(registry.loaded().size(), 1u);
  EXPECT_EQ(registry.loaded()[0]->id(), "fixture-good");
  ASSERT_EQ(registry.inventory().size(), kRefusedFixtures.size() + 1);
  for (const std::string& fixture : kRefusedFixtures) {
    const fs::path file = plugins / fixture;
    const PluginInfo* info = info_for(registry, file);
    ASSERT_NE(info, nullptr) << fixture;
    EXPECT_FALSE(info->loaded) << fixture;
    EXPECT_EQ(info->refusal.rfind(file.string() + ": ", 0), 0u) << info->refusal;
  }
  ASSERT_NE(info_for(registry, good), nullptr);
  EXPECT_TRUE(info_for(registry, good)->loaded);
}

TEST_F(PluginRegistryTest, RefusesAGroupWritablePluginFile) {
  const fs::path plugins = folder("plugins");
  const fs::path file = copy_fixture("good_fixture.so", plugins);
  fs::permissions(file, static_cast<fs::perms>(0775));
  PluginRegistry registry;
  registry.scan({plugins.string()});

  EXPECT_TRUE(registry.loaded().empty());
  ASSERT_EQ(registry.inventory().size(), 1u);
  EXPECT_FALSE(registry.inventory()[0].loaded);
  EXPECT_EQ(registry.inventory()[0].refusal,
            file.string() + " is writable by group or others (mode 0775)");
}

TEST_F(PluginRegistryTest, RefusesEveryPluginInAWorldWritableDirectory) {
  const fs::path plugins = folder("plugins");
  const fs::path good = copy_fixture("good_fixture.so", plugins);
  const fs::path other = copy_fixture("probe_fails.so", plugins);
  fs::permissions(plugins, static_cast<fs::perms>(0777));
  PluginRegistry registry;
  registry.scan({plugins.string()});

  EXPECT_TRUE(registry.loaded().empty());
  ASSERT_EQ(registry.inventory().size(), 2u);
  EXPECT_EQ(registry.inventory()[0].refusal, good.string() +
                                                 ": plugin directory refused: " + plugins.string() +
                                                 " is writable by group or others (mode 0777)");
  EXPECT_EQ(registry.inventory()[1].refusal, other.string() +
                                                 ": plugin directory refused: " + plugins.string() +
                                                 " is writable by group or others (mode 0777)");
}

TEST_F(PluginRegistryTest, RefusesAPluginOwnedBySomeoneElse) {
  if (geteuid() != 0) GTEST_SKIP() << "changing a file's owner needs root";
  const fs::path plugins = folder("plugins");
  const fs::path file = copy_fixture("good_fixture.so", plugins);
  ASSERT_EQ(chown(file.c_str(), 65534, 65534), 0);
  PluginRegistry registry;
  registry.scan({plugins.string()});

  EXPECT_TRUE(registry.loaded().empty());
  ASSERT_EQ(registry.inventory().size(), 1u);
  EXPECT_EQ(registry.inventory()[0].refusal,
            file.string() + " is owned by uid 65534, not root or the running user");
}

TEST_F(PluginRegistryTest, RefusesAPathThatIsNotADirectory) {
  const fs::path not_a_folder = root_ / "plugins";
  std::ofstream(not_a_folder) << "a file\n";
  PluginRegistry registry;
  registry.scan({not_a_folder.string()});

  EXPECT_TRUE(registry.loaded().empty());
  ASSERT_EQ(registry.inventory().size(), 1u);
  EXPECT_EQ(registry.inventory()[0].refusal,
            not_a_folder.string() + ": not a plugin directory: not a directory");
}

TEST_F(PluginRegistryTest, ScanningAgainStartsAfresh) {
  const fs::path first = folder("first");
  const fs::path second = folder("second");
  copy_fixture("good_fixture.so", first);
  copy_fixture("good_fixture.so", second);
  PluginRegistry registry;
  registry.scan({first.string()});
  registry.scan({second.string()});

  ASSERT_EQ(registry.loaded().size(), 1u);
  EXPECT_EQ(registry.loaded()[0]->file(), second / "good_fixture.so");
  EXPECT_EQ(registry.searched_directories(), std::vector<std::string>{second.string()});
}

// The plugins this build ships, from the folder a freshly built volcrypt searches.
TEST(PluginRegistryBuildTree, LoadsTheBuiltPlugins) {
  const fs::path built = fs::path(VOLCRYPT_BUILD_PLUGIN_DIR);
  if (!fs::exists(built / "qemu-native-luks.so")) {
    GTEST_SKIP() << "qemu-native-luks.so is not built yet in " << built;
  }
  PluginRegistry registry;
  registry.scan({built.string()});

  ASSERT_FALSE(registry.inventory().empty());
  for (const PluginInfo& info : registry.inventory()) {
    EXPECT_TRUE(info.loaded) << info.file << ": " << info.refusal;
  }
  auto native = registry.find("qemu-native-luks");
  ASSERT_NE(native, nullptr);
  EXPECT_EQ(native->file(), built / "qemu-native-luks.so");
  EXPECT_TRUE(serves_provider(native->providers(), "luks"));
}

}  // namespace
}  // namespace volcrypt
