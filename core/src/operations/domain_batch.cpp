#include "operations/domain_batch.hpp"

#include <map>

namespace volcrypt {

std::vector<std::vector<size_t>> indices_by_domain(const std::vector<std::string>& domains) {
  std::vector<std::vector<size_t>> groups;
  std::map<std::string, size_t> group_of;
  for (size_t index = 0; index < domains.size(); ++index) {
    auto [it, added] = group_of.emplace(domains[index], groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(index);
  }
  return groups;
}

}  // namespace volcrypt
