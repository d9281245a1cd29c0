// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/node_addresses.h"

namespace nstopo::model {

std::vector<IpAddress> nodeAddresses(const Topology& topology, const std::string& node,
                                     const std::string& ifname) {
  std::vector<IpAddress> out;
  if (const auto it = topology.nodes.find(node); it != topology.nodes.end()) {
    for (const auto& [name, settings] : it->second.interfaces) {
      if (ifname.empty() || name == ifname) {
        for (const auto& address : settings.addresses) {
          out.push_back(address.ip);
        }
      }
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.node == node && (ifname.empty() || name == ifname)) {
      for (const auto& address : bridge.settings.addresses) {
        out.push_back(address.ip);
      }
    }
  }
  for (auto& address : out) {
    address.prefix_len = -1;
  }
  return out;
}

}  // namespace nstopo::model
