#include "scope_options.hpp"

namespace po = boost::program_options;

namespace volcrypt::cli {

void add_scope_options(po::options_description& options) {
  options.add_options()("live", "change the running domain")(
      "config", "change the persistent definition (boot from volume: on a shut-off domain)");
}

Scope scope_from_options(const po::variables_map& vm) {
  const bool live = vm.count("live") > 0;
  const bool config = vm.count("config") > 0;
  if (live && config) return Scope::live_and_config;
  if (live) return Scope::live;
  if (config) return Scope::config;
  return Scope::current;
}

}  // namespace volcrypt::cli
