#include "scope_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

void add_scope_options(po::options_description& options) {
  options.add_options()("live", "change the running domain")(
      "config", "change the persistent definition (boot from volume: on a shut-off domain)");
}

Scope scope_from_options(const po::variables_map& vm) {
  return scope_from(vm.count("live") > 0, vm.count("config") > 0);
}

Scope scope_from(bool live, bool config) {
  if (live && config) return Scope::live_and_config;
  if (live) return Scope::live;
  if (config) return Scope::config;
  return Scope::current;
}

}  // namespace volcrypt::cli
