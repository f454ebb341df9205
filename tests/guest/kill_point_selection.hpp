// Which kill points a guest sweep covers. Killing at step n leaves what steps 1..n-1
// did, so when step n-1 changed nothing, kill point n leaves the same host as kill point
// n-1. Under TCG a kill point costs 4 to 20 s (a traced run, check, recover, check, a
// fresh attach read through the nested guest, a detach), and attach and detach make 40
// to 55 steps each, mostly libvirt RPCs that only read: every step would take about
// 13 min rather than 5 to 6 (tests/guest/README.md). So by default a sweep skips kill
// point n only when step n-1 and step n both change nothing (RPCs that only read,
// libcryptsetup's lock-file removals): it leaves exactly what the kill point before it
// left. Every distinct state is still reached, and every intent-file step, device-mapper
// request and RPC that changes something is still killed. `every_step` covers all of
// them (tests/guest/run with VOLCRYPT_GUEST_KILL_POINTS=every).
#pragma once

#include <string>
#include <vector>

namespace volcrypt::guest {

// The 1-based kill points to cover, given the step names of a complete run
// (test::TracedRun::step_names).
std::vector<int> kill_points_to_cover(const std::vector<std::string>& steps, bool every_step);

}  // namespace volcrypt::guest
