// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/model/topology.h"

namespace nstopo::model {

/// Every address the file gives a node, without prefix (prefix_len -1): its interfaces in name
/// order, then the bridges in it; only those of `ifname` when it is not empty. What verify
/// probes and what the split rewrites a cross-machine target to.
[[nodiscard]] std::vector<IpAddress> nodeAddresses(const Topology& topology,
                                                   const std::string& node,
                                                   const std::string& ifname);

}  // namespace nstopo::model
