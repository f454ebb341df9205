// Which kill points a long sweep covers. A killed `volcrypt migrate` costs a new domain
// with its disk, the traced run, recover, check and a read through QEMU on whichever
// side runs it: about 4 to 5 s each, for each of its 34 to 38 steps (2.5 to 3.5 min in all).
// The test command covers every step. For a quicker look, VOLCRYPT_KILL_SEED=N covers a
// sample: the first and the last step and every `stride`-th step between, from an offset
// the seed picks, so that other seeds cover the others (README, Tests).
#pragma once

#include <string>
#include <vector>

namespace volcrypt::test {

struct KillPointChoice {
  std::vector<int> points;  // 1-based, ascending
  std::string how;          // e.g. "every step" or "every 4th from step 3, seed 19"
};

KillPointChoice sampled_kill_points(int steps, int stride);

// For a sweep whose every point costs many seconds even in the test command (a blank RBD
// image is formatted by librbd at each, ~8 s): sampled by default as above from the
// offset VOLCRYPT_KILL_SEED picks (seed 0 when unset); VOLCRYPT_KILL_WHOLE=1 covers every
// step.
KillPointChoice sampled_unless_whole(int steps, int stride);

}  // namespace volcrypt::test
