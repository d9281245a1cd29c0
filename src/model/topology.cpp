// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/topology.h"

namespace nstopo::model {

const char* toString(BridgeKind kind) {
  switch (kind) {
    case BridgeKind::kLinux:
      return "linux";
    case BridgeKind::kOvs:
      return "ovs";
  }
  return "?";
}

std::string endpointNetns(const Topology& topology, const Endpoint& endpoint) {
  if (const auto it = topology.bridges.find(endpoint.owner); it != topology.bridges.end()) {
    return it->second.node;
  }
  return endpoint.owner;
}

}  // namespace nstopo::model
