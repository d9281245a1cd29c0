// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/topology.h"

namespace nstopo::model {

const char* toString(LinkKind kind) {
  switch (kind) {
    case LinkKind::kVeth:
      return "veth";
    case LinkKind::kMacvlan:
      return "macvlan";
    case LinkKind::kIpvlan:
      return "ipvlan";
    case LinkKind::kVlan:
      return "vlan";
    case LinkKind::kOvsInternal:
      return "ovs-internal";
  }
  return "?";
}

bool isStacked(LinkKind kind) {
  return kind == LinkKind::kMacvlan || kind == LinkKind::kIpvlan || kind == LinkKind::kVlan;
}

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
