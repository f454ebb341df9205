// `volcrypt host-bench`: what each data path reaches on this host (the CPU's AES-XTS
// limit, QEMU's native LUKS, the kernel's dm-crypt cipher), kept root-only in
// CACHE_DIR/host-bench.json with the host name, kernel, QEMU and libvirt versions the
// figures were taken under. Figures taken under any other versions are stale: ignored,
// and measured again by the next host-bench.
#pragma once

#include <optional>
#include <string>
#include <volcrypt/types.hpp>

#include "domain/host_facts.hpp"

namespace volcrypt {

// What the figures are valid for: this host name and kernel (uname), this QEMU and libvirt.
HostBenchReport current_host_identity(const HostFacts& facts);

// CACHE_DIR/host-bench.json; empty when there is no cache folder.
std::string host_bench_cache_file(const std::string& cache_dir);

// The cached figures when the cache is root's own and was measured under identity.
std::optional<HostBenchReport> load_host_bench(const std::string& cache_dir,
                                               const HostBenchReport& identity);

// Measures the figures now (a few seconds) and caches them (when cache_dir is not empty).
HostBenchReport measure_host_bench(const std::string& cache_dir, const HostFacts& facts);

}  // namespace volcrypt
