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

void resolveEndpoints(Topology& topology) {
  for (auto& link : topology.links) {
    for (auto& endpoint : link.endpoints) {
      const auto bridge = topology.bridges.find(endpoint.owner);
      switch (shapeOf(link.kind)) {
        case LinkShape::kPair:
          endpoint.on_bridge = bridge != topology.bridges.end();
          break;
        case LinkShape::kOvsPort:  // on an OVS bridge it is that bridge's port, not enslaved
          endpoint.on_bridge =
              bridge != topology.bridges.end() && bridge->second.kind == BridgeKind::kLinux;
          break;
        case LinkShape::kStacked:
        case LinkShape::kStandalone:
          endpoint.on_bridge = bridge != topology.bridges.end() && kindInfo(link.kind).bridge_port;
          break;
        case LinkShape::kBridge:
        case LinkShape::kForeign:
          endpoint.on_bridge = false;  // never in `links:`
          break;
      }
    }
  }
}

std::string endpointNetns(const Topology& topology, const Endpoint& endpoint) {
  if (const auto it = topology.bridges.find(endpoint.owner); it != topology.bridges.end()) {
    return it->second.node;
  }
  return endpoint.owner;
}

std::string normalizeSysctl(const std::string& value) {
  std::string out;
  bool gap = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n') {
      gap = !out.empty();
      continue;
    }
    if (gap) {
      out += ' ';
      gap = false;
    }
    out += c;
  }
  return out;
}

}  // namespace nstopo::model
