// A plugin directory of N distinct plugins (copies of the named_by_file fixture, whose id
// is its file name) beside a copy of the volcrypt program and its slim plugin helper
// (volcrypt therefore finds no other plugins), and a registry cache folder of its own.
#pragma once

#include <string>

#include "test_volumes.hpp"

namespace volcrypt::bench {

class PluginFarm {
 public:
  explicit PluginFarm(int plugins);

  const std::string& program() const { return program_; }
  const std::string& helper() const { return helper_; }
  const std::string& plugin_dir() const { return plugin_dir_; }
  const std::string& cache_dir() const { return cache_dir_; }
  // A small file for probe to look at (a blank volume).
  const std::string& volume() const { return volume_; }

  // Runs `volcrypt --plugin-dir DIR plugins` with this farm's cache, output discarded;
  // throws std::runtime_error if it does not exit 0.
  void list_plugins() const;

 private:
  test_volumes::ScratchDir scratch_;
  std::string program_;
  std::string helper_;
  std::string plugin_dir_;
  std::string cache_dir_;
  std::string volume_;
};

}  // namespace volcrypt::bench
