// The integration tests run programs (the volcrypt CLI, qemu-io, losetup) with the one
// process runner that the conformance kit and the benchmarks use too.
#pragma once

#include "hang_deadline.hpp"
#include "process_runner.hpp"

namespace volcrypt::test {

using runner::KillableRun;
using runner::ProcessResult;
using runner::run_process;
using runner::run_process_killed_after;

}  // namespace volcrypt::test
