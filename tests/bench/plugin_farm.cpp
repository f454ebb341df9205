#include "plugin_farm.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <vector>

extern char** environ;

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
  const std::string cache = "VOLCRYPT_CACHE_DIR=" + cache_dir_;
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  env.push_back(const_cast<char*>(cache.c_str()));
  env.push_back(nullptr);
  std::vector<std::string> args = {program_, "--plugin-dir", plugin_dir_, "plugins"};
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int error =
      ::posix_spawn(&pid, program_.c_str(), &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  int status = 0;
  if (error != 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) != 0) {
    throw std::runtime_error("volcrypt plugins failed in " + plugin_dir_);
  }
}

}  // namespace volcrypt::bench
