// SPDX-License-Identifier: Apache-2.0
#include "step_order.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace nstopo::plan {
namespace {

/// Inside the one OVS transaction: removals first, so a name can be reused, then creations.
int ovsRank(const Action& action) {
  if (std::holds_alternative<DeleteOvsPort>(action)) {
    return 0;
  }
  if (std::holds_alternative<DeleteOvsBridge>(action)) {
    return 1;
  }
  if (std::holds_alternative<CreateOvsBridge>(action)) {
    return 2;
  }
  if (std::holds_alternative<SetOvsBridge>(action)) {
    return 3;
  }
  if (std::holds_alternative<AddOvsPort>(action)) {
    return 4;
  }
  return 5;
}

}  // namespace

void orderSteps(Steps& steps) {
  // The sort moves 16-byte keys, each with its step's place as the last word: equal phases keep
  // the planner's order without a stable sort. The steps then move once each, along the
  // permutation's cycles.
  std::vector<std::pair<std::uint64_t, std::size_t>> keys;
  keys.reserve(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto phase = static_cast<std::uint64_t>(steps[i].phase);
    keys.emplace_back(phase << 8U | static_cast<std::uint64_t>(ovsRank(steps[i].action)), i);
  }
  std::sort(keys.begin(), keys.end());
  // keys[i].second is the step that goes to place i; a place already filled points to itself.
  for (std::size_t start = 0; start < keys.size(); ++start) {
    if (keys[start].second == start) {
      continue;
    }
    Step carried = std::move(steps[start]);
    std::size_t place = start;
    while (keys[place].second != start) {
      const std::size_t from = keys[place].second;
      steps[place] = std::move(steps[from]);
      keys[place].second = place;
      place = from;
    }
    steps[place] = std::move(carried);
    keys[place].second = place;
  }
}

}  // namespace nstopo::plan
