// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/lab_nodes.h"

#include <fmt/format.h>

#include "nstopo/model/topology.h"
#include "nstopo/state/state.h"

namespace nstopo::app {

Status checkNodeOfLab(const std::string& lab, const std::string& node, apply::Driver& driver) {
  if (node == model::kHostNode) {
    return {};
  }
  state::ReadScope scope;
  scope.lab = lab;
  scope.netns = {node};
  state::State state;
  if (auto ok = driver.read(scope, state); !ok) {
    return ok;
  }
  const auto netns = state.netns.find(node);
  if (netns == state.netns.end()) {
    return fail(
        ErrorKind::kConflict,
        fmt::format("lab '{}' has no node '{}' on this machine: apply the lab first", lab, node));
  }
  if (netns->second.owner != lab) {
    return fail(ErrorKind::kConflict,
                fmt::format("namespace '{}' does not belong to lab '{}'", node, lab));
  }
  return {};
}

}  // namespace nstopo::app
