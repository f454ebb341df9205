// A batch runs its requests domain by domain (in the order each domain first appears),
// each domain's requests in request order under one hold of the domain's lock, its
// interrupted intents replayed once. A request that fails stops only itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operations/engine_context.hpp"
#include "operations/held_domain.hpp"

namespace volcrypt {

// The indices of requests grouped by domain name, domains in order of first appearance.
std::vector<std::vector<size_t>> indices_by_domain(const std::vector<std::string>& domains);

// run_group(indices, domain uuid, outcomes) fills the outcomes of one domain's requests.
template <typename Result, typename Request, typename RunGroup>
std::vector<BatchOutcome<Result>> run_groups_by_domain(EngineContext& context,
                                                       const std::vector<Request>& requests,
                                                       RunGroup&& run_group) {
  std::vector<BatchOutcome<Result>> outcomes(requests.size());
  std::vector<std::string> domains;
  for (const auto& request : requests) domains.push_back(request.domain);
  for (const auto& group : indices_by_domain(domains)) {
    std::optional<HeldDomain> held;
    try {
      held.emplace(context, requests[group.front()].domain);
    } catch (...) {
      for (size_t index : group) outcomes[index].failure = std::current_exception();
      continue;
    }
    run_group(group, held->uuid(), outcomes);
  }
  return outcomes;
}

// run(request, index, domain uuid) -> Result, for each request.
template <typename Result, typename Request, typename Run>
std::vector<BatchOutcome<Result>> run_by_domain(EngineContext& context,
                                                const std::vector<Request>& requests, Run&& run) {
  return run_groups_by_domain<Result>(
      context, requests,
      [&](const std::vector<size_t>& group, const std::string& domain_uuid,
          std::vector<BatchOutcome<Result>>& outcomes) {
        for (size_t index : group) {
          try {
            outcomes[index].result = run(requests[index], index, domain_uuid);
          } catch (...) {
            outcomes[index].failure = std::current_exception();
          }
        }
      });
}

}  // namespace volcrypt
