// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_hosts.h"

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/model/split.h"

namespace nstopo::model {
namespace {

void strayKey(Diagnostics& problems, const SourceLoc& loc, const std::string& what) {
  problems.push_back(Error{ErrorKind::kInvalidTopology,
                           fmt::format("{} means something only in a lab with hosts: (the "
                                       "machines it spans; docs/multi-host.md)",
                                       what),
                           loc, 0});
}

}  // namespace

void validateHosts(const Topology& topology, Diagnostics& problems, bool references_ok) {
  if (!topology.lab_hosts.empty()) {
    if (references_ok) {
      (void)planSplit(topology, problems);
    } else {
      checkHostNames(topology, problems);
    }
    return;
  }
  for (const auto& [name, node] : topology.nodes) {
    if (node.host) {
      strayKey(problems, node.host_loc, fmt::format("node '{}': 'host'", excerpt(name)));
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.host) {
      strayKey(problems, bridge.host_loc, fmt::format("bridge '{}': 'host'", excerpt(name)));
    }
    if (bridge.vni) {
      strayKey(problems, bridge.vni_loc, fmt::format("bridge '{}': 'vni'", excerpt(name)));
    }
  }
  for (const auto& link : topology.links) {
    if (link.cross_vni) {
      strayKey(problems, link.cross_vni_loc, "the 'vni' of a veth");
    }
  }
  if (topology.vni_range.loc.known()) {
    strayKey(problems, topology.vni_range.loc, "vni_range");
  }
}

}  // namespace nstopo::model
