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

  // The probe helper (plugins isolated): an operation that will probe starts it early,
  // so that it loads the plugins while the operation talks to libvirt, and it is kept
  // for the context's next probes while it answers them all. Null when not isolated.
  void start_probe_helper();
  WaitingProbeHelper* probe_helper() { return waiting_probe_.get(); }

 private:
  Settings settings_;
  LogSink log_;
  PluginRegistry registry_;
  bool scanned_ = false;
  std::unique_ptr<LibvirtSession> session_;
  std::unique_ptr<WaitingProbeHelper> waiting_probe_;
};

}  // namespace volcrypt
