// What every engine operation shares: settings, the plugins found, the libvirt
// connection (opened on first use) and the log sink.
#pragma once

#include <memory>
#include <string>
#include <volcrypt/engine.hpp>

#include "domain/libvirt_session.hpp"
#include "plugin_host/helper_process.hpp"
#include "plugin_host/plugin_registry.hpp"

namespace volcrypt {

class EngineContext {
 public:
  EngineContext(Settings settings, LogSink log);

  const Settings& settings() const { return settings_; }
  PluginRegistry& registry();
  LibvirtSession& libvirt();
  void log(int level, const std::string& message) const;
  const LogSink& log_sink() const { return log_; }

  // The loaded plugin with this id, or Error(not_found) naming it and where it was sought.
  const LoadedPlugin& require_plugin(const std::string& id, const std::string& why);

  // An operation that will probe starts the probe helper early (plugins isolated), so
  // that it loads the plugins while the operation talks to libvirt; probing takes it.
  // Either ends one nobody took.
  void start_probe_helper();
  std::unique_ptr<WaitingProbeHelper> take_probe_helper() { return std::move(waiting_probe_); }
  void discard_probe_helper() { waiting_probe_.reset(); }

 private:
  Settings settings_;
  LogSink log_;
  PluginRegistry registry_;
  bool scanned_ = false;
  std::unique_ptr<LibvirtSession> session_;
  std::unique_ptr<WaitingProbeHelper> waiting_probe_;
};

// Starts the probe helper for the operation's scope and ends it, if probing never took
// it, when the operation ends.
class EarlyProbeHelper {
 public:
  explicit EarlyProbeHelper(EngineContext& context) : context_(context) {
    context_.start_probe_helper();
  }
  ~EarlyProbeHelper() { context_.discard_probe_helper(); }
  EarlyProbeHelper(const EarlyProbeHelper&) = delete;
  EarlyProbeHelper& operator=(const EarlyProbeHelper&) = delete;

 private:
  EngineContext& context_;
};

}  // namespace volcrypt
