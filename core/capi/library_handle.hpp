// What a volcrypt_handle holds: the settings every call starts from, the engine kept open
// across calls (its libvirt connection and plugins), and the caller's log.
#pragma once

#include <volcrypt/volcrypt.h>

#include <memory>
#include <mutex>
#include <string>
#include <volcrypt/engine.hpp>

#include "invocation.hpp"

struct volcrypt_handle {
  // Held for a whole call: the engine serves one call at a time.
  std::mutex calls;
  volcrypt::cli::Invocation invocation;
  volcrypt_log_fn log = nullptr;
  void* log_user_data = nullptr;
  int log_level = 3;
  std::unique_ptr<volcrypt::Engine> engine;

  void write_log(int level, const std::string& message) const {
    if (log != nullptr && level >= log_level) log(log_user_data, level, message.c_str());
  }
};
