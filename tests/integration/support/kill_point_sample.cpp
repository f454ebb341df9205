#include "kill_point_sample.hpp"

#include <cstdlib>
#include <set>

namespace volcrypt::test {

namespace {

bool set(const char* text) { return text != nullptr && *text != '\0'; }

KillPointChoice every_step(int steps) {
  KillPointChoice choice;
  for (int step = 1; step <= steps; ++step) choice.points.push_back(step);
  choice.how = "every step";
  return choice;
}

KillPointChoice sample(int steps, int stride, unsigned long seed) {
  KillPointChoice choice;
  const int offset = 1 + static_cast<int>(seed % static_cast<unsigned long>(stride));
  std::set<int> points = {1, steps};
  for (int step = offset; step <= steps; step += stride) points.insert(step);
  choice.points.assign(points.begin(), points.end());
  choice.how = "every " + std::to_string(stride) + "th from step " + std::to_string(offset) +
               ", VOLCRYPT_KILL_SEED " + std::to_string(seed);
  return choice;
}

}  // namespace

KillPointChoice sampled_kill_points(int steps, int stride) {
  const char* seed = std::getenv("VOLCRYPT_KILL_SEED");
  if (!set(seed) || stride <= 1) return every_step(steps);
  return sample(steps, stride, std::strtoul(seed, nullptr, 10));
}

KillPointChoice sampled_unless_whole(int steps, int stride) {
  const char* whole = std::getenv("VOLCRYPT_KILL_WHOLE");
  if ((set(whole) && std::string(whole) != "0") || stride <= 1) return every_step(steps);
  const char* seed = std::getenv("VOLCRYPT_KILL_SEED");
  return sample(steps, stride, set(seed) ? std::strtoul(seed, nullptr, 10) : 0);
}

}  // namespace volcrypt::test
