// The registry cache, with real plugin files and a real cache folder: a second
// `volcrypt plugins` reads every unchanged plugin from the cache (no helper runs), a
// touched or replaced plugin is described again, a cache that is not root's own or is
// damaged is ignored and rebuilt, and the trust rule still refuses a plugin that became
// world-writable after it was cached.
#include <gmock/gmock.h>
#include <sys/stat.h>
#include <unistd.h>
#include <volcrypt/plugin_abi.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "integration_test.hpp"

namespace volcrypt::test {
namespace {

namespace fs = std::filesystem;
using test_volumes::mode_of;
using ::testing::HasSubstr;

class RegistryCache : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    plugins = path("plugins");
    fs::create_directory(plugins);
    fs::permissions(plugins, fs::perms(0755));
    for (const char* fixture : {"good_fixture.so", "not_a_plugin.so"}) {
      fs::copy_file(std::string(VOLCRYPT_FIXTURE_DIR) + "/" + fixture, plugins + "/" + fixture);
    }
    cache = path("cache");
    cache_file = cache + "/plugins.json";
  }

  ProcessResult run(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {VOLCRYPT_BINARY, "--plugin-dir", plugins};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv, "", {{"VOLCRYPT_CACHE_DIR", cache}});
  }

  // `plugins --json`, by file.
  std::map<std::string, nlohmann::json> listing() {
    ProcessResult r = run({"--json", "plugins"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::map<std::string, nlohmann::json> by_file;
    const auto document = nlohmann::json::parse(r.out);
    for (const auto& plugin : document.at("plugins")) {
      by_file[plugin.at("file").get<std::string>()] = plugin;
    }
    return by_file;
  }

  // Whether each plugin file came from the cache, by file name.
  std::map<std::string, bool> from_cache() {
    std::map<std::string, bool> out;
    for (const auto& [file, plugin] : listing()) {
      out[fs::path(file).filename()] = plugin.at("from_cache").get<bool>();
    }
    return out;
  }

  void expect_all_from_cache(bool expected) {
    const auto sources = from_cache();
    ASSERT_FALSE(sources.empty());
    for (const auto& [file, cached] : sources) EXPECT_EQ(cached, expected) << file;
  }

  std::string plugins;
  std::string cache;
  std::string cache_file;
};

TEST_F(RegistryCache, ASecondRunTakesEveryUnchangedPluginFromTheCache) {
  expect_all_from_cache(false);
  EXPECT_EQ(mode_of(cache), 0700u);
  EXPECT_EQ(mode_of(cache_file), 0600u);

  const auto warm = listing();
  for (const auto& [file, plugin] : warm) EXPECT_TRUE(plugin.at("from_cache").get<bool>()) << file;
  // The same answers as when the plugins were read: the good one usable, the other
  // refused with the loader's own reason.
  const auto& good = warm.at(plugins + "/good_fixture.so");
  EXPECT_EQ(good.at("status"), "loaded");
  EXPECT_EQ(good.at("id"), "fixture-good");
  EXPECT_EQ(good.at("abi"),
            std::to_string(VOLCRYPT_ABI_MAJOR) + "." + std::to_string(VOLCRYPT_ABI_MINOR));
  EXPECT_EQ(good.at("providers"), nlohmann::json::array({"fixture"}));
  const auto& bad = warm.at(plugins + "/not_a_plugin.so");
  EXPECT_EQ(bad.at("status"), "refused");
  EXPECT_EQ(bad.at("reason"), plugins +
                                  "/not_a_plugin.so: not a volcrypt plugin (no "
                                  "volcrypt_plugin_entry entry point)");

  // Probing still runs the plugin (in a helper), with metadata from the cache.
  const std::string volume = make_luks1_with_pattern("v.luks", 0xab);
  ProcessResult probe =
      run({"probe", "--source", volume, "--volume-id", unique("probe"), "--provider", "fixture"});
  ASSERT_EQ(probe.exit_code, 0) << probe.err;
  EXPECT_THAT(probe.out, HasSubstr("* fixture-good        64    fixture: always marginal\n"));
}

TEST_F(RegistryCache, ATouchedOrReplacedPluginIsDescribedAgain) {
  expect_all_from_cache(false);
  const std::string good = plugins + "/good_fixture.so";
  fs::last_write_time(good, fs::last_write_time(good) + std::chrono::seconds(1));
  auto sources = from_cache();
  EXPECT_FALSE(sources.at("good_fixture.so"));
  EXPECT_TRUE(sources.at("not_a_plugin.so"));
  expect_all_from_cache(true);

  // Another plugin copied over the file: its own id, not the cached one.
  fs::copy_file(std::string(VOLCRYPT_FIXTURE_DIR) + "/duplicate_a.so", good,
                fs::copy_options::overwrite_existing);
  const auto replaced = listing().at(good);
  EXPECT_FALSE(replaced.at("from_cache").get<bool>());
  EXPECT_EQ(replaced.at("id"), "fixture-duplicate");
}

TEST_F(RegistryCache, ACacheFileOthersCouldWriteIsIgnoredAndRebuilt) {
  expect_all_from_cache(false);
  fs::permissions(cache_file, fs::perms(0644));
  expect_all_from_cache(false);
  EXPECT_EQ(mode_of(cache_file), 0600u);
  expect_all_from_cache(true);
}

TEST_F(RegistryCache, ACacheFileOwnedByAnotherUserIsIgnoredAndRebuilt) {
  expect_all_from_cache(false);
  ASSERT_EQ(::chown(cache_file.c_str(), 65534, 65534), 0);
  expect_all_from_cache(false);
  struct stat status {};
  ASSERT_EQ(::stat(cache_file.c_str(), &status), 0);
  EXPECT_EQ(status.st_uid, ::geteuid());
  expect_all_from_cache(true);
}

TEST_F(RegistryCache, ACacheFolderOthersCanEnterIsIgnoredAndClosed) {
  expect_all_from_cache(false);
  fs::permissions(cache, fs::perms(0755));
  expect_all_from_cache(false);
  EXPECT_EQ(mode_of(cache), 0700u);
  expect_all_from_cache(true);
}

TEST_F(RegistryCache, AGarbledOrTruncatedCacheIsIgnoredAndRebuilt) {
  expect_all_from_cache(false);
  std::string text;
  {
    std::ifstream in(cache_file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  for (const std::string& damaged :
       {text.substr(0, text.size() / 2), std::string("\x01garbage"), std::string()}) {
    test_volumes::write_file(cache_file, damaged);
    fs::permissions(cache_file, fs::perms(0600));
    ProcessResult r = run({"plugins"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");         // not even a warning: a cache is never needed
    expect_all_from_cache(true);  // the run above ignored it and wrote a good one
  }
}

// Two "plugins" lists: which one volcrypt wrote is unknown (nlohmann took the last).
TEST_F(RegistryCache, ACacheWithAKeyTwiceIsIgnoredAndRebuilt) {
  expect_all_from_cache(false);
  std::string text;
  {
    std::ifstream in(cache_file);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  ASSERT_EQ(text.front(), '{');
  test_volumes::write_file(cache_file, "{\"plugins\":[]," + text.substr(1));
  fs::permissions(cache_file, fs::perms(0600));
  expect_all_from_cache(false);
  expect_all_from_cache(true);
}

TEST_F(RegistryCache, APluginMadeWorldWritableAfterCachingIsRefused) {
  expect_all_from_cache(false);
  const std::string good = plugins + "/good_fixture.so";
  fs::permissions(good, fs::perms(0666));
  const auto plugin = listing().at(good);
  EXPECT_EQ(plugin.at("status"), "refused");
  EXPECT_EQ(plugin.at("reason"), good + " is writable by group or others (mode 0666)");
  EXPECT_FALSE(plugin.at("from_cache").get<bool>());
}

}  // namespace
}  // namespace volcrypt::test
