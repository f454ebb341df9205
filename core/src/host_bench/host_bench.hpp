// `volcrypt host-bench`: what each data path reaches on this host (the CPU's AES-XTS
// limit, QEMU's native LUKS, librbd's LUKS1 in a pool the deployer names, the kernel's
// dm-crypt cipher), kept root-only in
// CACHE_DIR/host-bench.json with the host name, kernel, QEMU and libvirt versions the
// figures were taken under. Figures taken under any other versions are stale: ignored,
// and measured again by the next host-bench.
#pragma once

#include <optional>
#include <string>
#include <volcrypt/network_source.hpp>
#include <volcrypt/types.hpp>

#include "domain/host_facts.hpp"
#include "operations/engine_context.hpp"

namespace volcrypt {

// What the figures are valid for: this host name and kernel (uname), this QEMU and libvirt.
HostBenchReport current_host_identity(const HostFacts& facts);

// CACHE_DIR/host-bench.json; empty when there is no cache folder.
std::string host_bench_cache_file(const std::string& cache_dir);

// The cached figures when the cache is root's own and was measured under identity.
std::optional<HostBenchReport> load_host_bench(const std::string& cache_dir,
                                               const HostBenchReport& identity);

// Writes report as the cache file (root-only); sets report.cache_file when it did.
void store_host_bench(const std::string& cache_dir, HostBenchReport& report);

// Measures the figures now (a few seconds; librbd's only in rbd_pool, an rbd source whose
// name is the pool alone) and caches them in the settings' cache folder, if any.
HostBenchReport measure_host_bench(EngineContext& context, const HostFacts& facts,
                                   const std::optional<NetworkSource>& rbd_pool);

}  // namespace volcrypt
