// volcrypt_bench_attach: how much slower one native-LUKS hot attach+detach is through
// volcrypt than through the bare libvirt calls it makes, measured in the same run on
// the same volume and domain. Needs root and a running libvirtd (.ci/start-libvirtd).
#include <cstdio>
#include <exception>
#include <memory>

#include "bench_cases.hpp"
#include "bench_world.hpp"
#include "time_ratio_reporter.hpp"

namespace {

constexpr int kIterations = 20;

void register_case(const char* name,
                   void (*run)(benchmark::State&, const volcrypt::bench::BenchWorld&),
                   const volcrypt::bench::BenchWorld& world) {
  benchmark::RegisterBenchmark(name, [run, &world](benchmark::State& state) { run(state, world); })
      ->Iterations(kIterations)
      ->UseRealTime()  // the time is spent waiting on libvirtd and QEMU, not on our CPU
      ->Unit(benchmark::kMillisecond);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::unique_ptr<volcrypt::bench::BenchWorld> world;
  try {
    world = std::make_unique<volcrypt::bench::BenchWorld>();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "volcrypt_bench_attach: %s\n", e.what());
    return 1;
  }
  register_case("BM_BareLibvirt", &volcrypt::bench::bare_libvirt_attach_detach, *world);
  register_case("BM_Volcrypt", &volcrypt::bench::volcrypt_attach_detach, *world);

  volcrypt::bench::TimeRatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  world.reset();  // the domain, secrets and volume go before the verdict is printed

  if (reporter.any_failed()) {
    std::fprintf(stderr, "volcrypt_bench_attach: a benchmark failed (see its error above)\n");
    return 1;
  }
  if (auto ratio = reporter.ratio("BM_Volcrypt", "BM_BareLibvirt")) {
    std::printf("volcrypt/bare-libvirt attach+detach time ratio: %.2f\n", *ratio);
  } else {
    std::printf("no ratio: BM_BareLibvirt and BM_Volcrypt must both run\n");
  }
  return 0;
}
