#include "operations/engine_context.hpp"

#include <volcrypt/error.hpp>

#include "plugin_host/isolated_probe.hpp"

namespace volcrypt {

EngineContext::EngineContext(Settings settings, LogSink log)
    : settings_(std::move(settings)), log_(std::move(log)) {}

PluginRegistry& EngineContext::registry() {
  if (!scanned_) {
    PluginIsolation isolation;
    isolation.helper_program = settings_.plugin_helper_program;
    isolation.timeout_ms = settings_.probe_timeout_ms;
    isolation.describe_timeout_ms = settings_.describe_timeout_ms;
    isolation.denied = settings_.denied_plugins;
    isolation.cache_directory = settings_.plugin_cache_dir;
    isolation.log = log_;
    registry_.scan(settings_.plugin_dirs, isolation);
    scanned_ = true;
    for (const auto& info : registry_.inventory()) {
      if (!info.loaded && !info.denied) {
        log(VOLCRYPT_LOG_WARNING, "plugin refused: " + info.refusal);
      }
    }
  }
  return registry_;
}

LibvirtSession& EngineContext::libvirt() {
  if (!session_)
    session_ = std::make_unique<LibvirtSession>(settings_.connect_uri, settings_.ephemeral_secrets);
  return *session_;
}

void EngineContext::start_probe_helper() {
  PluginRegistry& plugins = registry();
  if (!plugins.isolated() || (waiting_probe_ && waiting_probe_->usable())) return;
  waiting_probe_ = start_waiting_probe(plugins.candidates(), plugins.isolation());
}

void EngineContext::log(int level, const std::string& message) const {
  if (log_) log_(level, message);
}

const LoadedPlugin& EngineContext::require_plugin(const std::string& id, const std::string& why) {
  auto plugin = registry().find(id);
  if (plugin) return *plugin;
  if (std::string why_not = registry_.why_missing(id); !why_not.empty()) {
    throw Error(ErrorKind::not_found, "plugin '" + id + "' " + why + " " + why_not);
  }
  std::string searched;
  for (const auto& dir : registry_.searched_directories()) {
    searched += (searched.empty() ? "" : ", ") + dir;
  }
  throw Error(ErrorKind::not_found, "plugin '" + id + "' " + why + " is not installed (searched: " +
                                        (searched.empty() ? "no plugin directories" : searched) +
                                        ")");
}

}  // namespace volcrypt
