// Loads a plugin the way the volcrypt core does, one step at a time so that each step
// can be reported as its own check: dlopen, both symbols present, the exported ABI
// version read and compared before any plugin code runs, then the entry point called
// with the host's version.
#pragma once

#include <volcrypt/plugin_abi.h>

#include <filesystem>
#include <volcrypt/plugin_contract.hpp>

namespace volcrypt::conformance {

// What is wrong with a step, or nothing.
using contract::Problem;

class PluginLoading {
 public:
  explicit PluginLoading(std::filesystem::path file) : file_(std::move(file)) {}

  Problem open();
  Problem find_symbols();
  Problem check_abi_version() const;
  Problem call_entry();
  // Every step in order; the first problem stops it.
  Problem load_all();

  const volcrypt_plugin_abi_version& abi() const { return *abi_; }
  const volcrypt_plugin& descriptor() const { return *descriptor_; }

 private:
  std::filesystem::path file_;
  void* library_ = nullptr;  // never closed: plugins stay loaded for the process's life
  const volcrypt_plugin_abi_version* abi_ = nullptr;
  volcrypt_plugin_entry_fn entry_ = nullptr;
  const volcrypt_plugin* descriptor_ = nullptr;
};

}  // namespace volcrypt::conformance
