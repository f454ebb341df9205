#include "kill_point_sample.hpp"

#include <cstdlib>
#include <set>

namespace volcrypt::test {

KillPointChoice sampled_kill_points(int steps, int stride) {
  KillPointChoice choice;
  const char* seed_text = std::getenv("VOLCRYPT_KILL_SEED");
  if (seed_text == nullptr || *seed_text == '\0' || stride <= 1) {
    for (int step = 1; step <= steps; ++step) choice.points.push_back(step);
    choice.how = "every step";
    return choice;
  }
  const unsigned long seed = std::strtoul(seed_text, nullptr, 10);
  const int offset = 1 + static_cast<int>(seed % static_cast<unsigned long>(stride));
  std::set<int> points = {1, steps};
  for (int step = offset; step <= steps; step += stride) points.insert(step);
  choice.points.assign(points.begin(), points.end());
  choice.how = "every " + std::to_string(stride) + "th from step " + std::to_string(offset) +
               ", VOLCRYPT_KILL_SEED " + std::to_string(seed);
  return choice;
}

}  // namespace volcrypt::test
