// volcrypt_bench_registry: what many installed plugins cost. `volcrypt plugins` with 100
// plugins and a warm registry cache against the same with 1 plugin (goal: within 1.5x),
// and probing each plugin in its own helper process against probing in process (goal:
// under 5 ms more per plugin). Needs root and a running libvirtd (probe reads the host
// facts from it).
#include <cstdio>
#include <exception>
#include <memory>

#include "registry_cases.hpp"
#include "time_ratio_reporter.hpp"

namespace {

constexpr int kManyPlugins = 100;

using Case = void (*)(benchmark::State&, const volcrypt::bench::PluginFarm&);

void register_case(const char* name, Case run, const volcrypt::bench::PluginFarm& farm,
                   int iterations) {
  benchmark::RegisterBenchmark(name, [run, &farm](benchmark::State& state) { run(state, farm); })
      ->Iterations(iterations)
      ->UseRealTime()  // helpers run side by side: wall time is what a caller waits
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::unique_ptr<volcrypt::bench::PluginFarm> one;
  std::unique_ptr<volcrypt::bench::PluginFarm> many;
  try {
    one = std::make_unique<volcrypt::bench::PluginFarm>(1);
    many = std::make_unique<volcrypt::bench::PluginFarm>(kManyPlugins);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_registry: %s\n", e.what());
    return 1;
  }
  using namespace volcrypt::bench;
  register_case("BM_PluginsWarm_1", &warm_plugins_listing, *one, 30);
  register_case("BM_PluginsWarm_100", &warm_plugins_listing, *many, 30);
  register_case("BM_ProbeInProcess_100", &probe_in_process, *many, 10);
  register_case("BM_ProbeIsolated_100", &probe_isolated, *many, 10);
  register_case("BM_ProbeIsolatedInVolcrypt_100", &probe_isolated_in_volcrypt, *many, 10);

  TimeRatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (reporter.any_failed()) {
    std::fprintf(stderr, "volcrypt_bench_registry: a benchmark failed (see its error above)\n");
    return 1;
  }
  if (auto ratio = reporter.ratio("BM_PluginsWarm_100", "BM_PluginsWarm_1")) {
    std::printf(
        "volcrypt plugins, warm cache, 100 plugins/1 plugin time ratio: %.2f (goal <= 1.5)\n",
        *ratio);
  }
  auto isolated = reporter.real_time("BM_ProbeIsolated_100");
  auto in_process = reporter.real_time("BM_ProbeInProcess_100");
  if (isolated && in_process) {
    std::printf("isolated probing over in-process probing: %.2f ms per plugin (goal < 5)\n",
                (*isolated - *in_process) / kManyPlugins);
  }
  auto in_volcrypt = reporter.real_time("BM_ProbeIsolatedInVolcrypt_100");
  if (in_volcrypt && in_process) {
    std::printf("the same with volcrypt itself as the helper: %.2f ms per plugin\n",
                (*in_volcrypt - *in_process) / kManyPlugins);
  }
  return 0;
}
