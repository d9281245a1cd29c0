// SPDX-License-Identifier: Apache-2.0
#include "nstopo/apply/fault_injection.h"

#include <fmt/format.h>

namespace nstopo::apply {

std::vector<Status> FaultInjectingDriver::apply(std::span<const plan::Action* const> batch) {
  std::vector<Status> results(batch.size());
  std::vector<const plan::Action*> passed;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (++seen_ == fail_at_) {
      results[i] = fail(ErrorKind::kKernel, fmt::format("injected failure of operation {} ({})",
                                                        fail_at_, plan::describe(*batch[i])));
    } else if (seen_ == drop_at_) {
      results[i] = {};  // reported done, never done
    } else {
      passed.push_back(batch[i]);
      where.push_back(i);
    }
  }
  if (!passed.empty()) {
    auto inner = inner_.apply(passed);
    for (std::size_t k = 0; k < inner.size() && k < where.size(); ++k) {
      results[where[k]] = std::move(inner[k]);
    }
  }
  return results;
}

}  // namespace nstopo::apply
