#include "plugin_farm.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "process_runner.hpp"

namespace volcrypt::bench {

namespace fs = std::filesystem;

PluginFarm::PluginFarm(int plugins) {
  program_ = scratch_.file("volcrypt");
  fs::copy_file(VOLCRYPT_BINARY, program_);
  helper_ = scratch_.file("volcrypt-plugin-helper");
  fs::copy_file(VOLCRYPT_PLUGIN_HELPER, helper_);
  // Not plugins/ beside the program, which volcrypt would search a second time.
  plugin_dir_ = scratch_.folder("vendor-plugins");
  for (int i = 0; i < plugins; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "fixture-n-%03d.so", i);
    fs::copy_file(std::string(VOLCRYPT_FIXTURE_DIR) + "/named_by_file.so",
                  plugin_dir_ + "/" + name);
  }
  cache_dir_ = scratch_.file("cache");
  volume_ = scratch_.file("volume");
  test_volumes::write_file(volume_, std::string(1 << 20, '\0'));
}

void PluginFarm::list_plugins() const {
  if (runner::run_process({program_, "--plugin-dir", plugin_dir_, "plugins"}, {},
                          {{"VOLCRYPT_CACHE_DIR", cache_dir_}})
          .exit_code != 0) {
    throw std::runtime_error("volcrypt plugins failed in " + plugin_dir_);
  }
}

}  // namespace volcrypt::bench
