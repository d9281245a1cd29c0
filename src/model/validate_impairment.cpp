// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_impairment.h"

#include <string>
#include <utility>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {

void validateImpairment(const Topology& topology, Diagnostics& problems) {
  const auto problem = [&](const SourceLoc& loc, std::string message) {
    problems.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  };
  for (const auto& [node_name, node] : topology.nodes) {
    if (const auto lo = node.interfaces.find("lo");
        lo != node.interfaces.end() && lo->second.impair) {
      problem(lo->second.impair_loc,
              fmt::format("node '{}' interface 'lo' cannot be impaired: its packets never leave "
                          "the node",
                          excerpt(node_name)));
    }
  }
  for (const auto& link : topology.links) {
    if (!link.impair) {
      continue;
    }
    for (const auto& endpoint : link.endpoints) {
      if (endpoint.on_bridge) {
        continue;  // a bridge's port has no interface settings of its own
      }
      const auto node = topology.nodes.find(endpoint.owner);
      if (node == topology.nodes.end()) {
        continue;  // the validator's reference checks say so
      }
      const auto settings = node->second.interfaces.find(endpoint.ifname);
      if (settings != node->second.interfaces.end() && settings->second.impair) {
        problem(
            settings->second.impair_loc,
            fmt::format("node '{}' interface '{}' impair: its link (line {}) has an impair "
                        "too; give it in one place",
                        excerpt(endpoint.owner), excerpt(endpoint.ifname), link.impair_loc.line));
      }
    }
  }
}

}  // namespace nstopo::model
