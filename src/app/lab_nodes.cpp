// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/lab_nodes.h"

#include <fmt/format.h>

#include "nstopo/model/topology.h"
#include "nstopo/state/state.h"

namespace nstopo::app {

Status checkNodesOfLab(const std::string& lab, const std::vector<std::string>& nodes,
                       apply::Driver& driver, std::string& failed) {
  failed.clear();
  state::ReadScope scope;
  scope.lab = lab;
  for (const auto& node : nodes) {
    if (node != model::kHostNode) {
      scope.netns.insert(node);
    }
  }
  if (scope.netns.empty()) {
    return {};
  }
  state::State state;
  if (auto ok = driver.read(scope, state); !ok) {
    return ok;
  }
  for (const auto& node : nodes) {
    if (node == model::kHostNode) {
      continue;
    }
    const auto netns = state.netns.find(node);
    if (netns == state.netns.end()) {
      failed = node;
      return fail(
          ErrorKind::kConflict,
          fmt::format("lab '{}' has no node '{}' on this machine: apply the lab first", lab, node));
    }
    if (netns->second.owner != lab) {
      failed = node;
      return fail(ErrorKind::kConflict,
                  fmt::format("namespace '{}' does not belong to lab '{}'", node, lab));
    }
  }
  return {};
}

Status checkNodeOfLab(const std::string& lab, const std::string& node, apply::Driver& driver) {
  std::string failed;
  return checkNodesOfLab(lab, {node}, driver, failed);
}

}  // namespace nstopo::app
