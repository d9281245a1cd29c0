// SPDX-License-Identifier: Apache-2.0
// --untrusted (issue 22, finding 7): a file may build its lab, and touch nothing of the host.
#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/model/untrusted.h"

namespace nstopo::model {
namespace {

class HostObjects {
 public:
  explicit HostObjects(const Topology& topology) : topology_(topology) {}

  Diagnostics run() {
    checkHostNode();
    checkBridges();
    checkLinks();
    checkExpectations();
    checkPrograms();
    return std::move(problems_);
  }

 private:
  void refuse(const SourceLoc& loc, const std::string& what, const char* hint = "") {
    problems_.push_back(Error{ErrorKind::kInvalidTopology,
                              fmt::format("{} is in the host namespace (nstopo's own); "
                                          "--untrusted refuses every object there{}",
                                          what, hint),
                              loc, 0});
  }

  [[nodiscard]] bool inHost(const Endpoint& endpoint) const {
    return endpointNetns(topology_, endpoint) == kHostNode;
  }

  /// exec commands and services run as root on the host's filesystem (a node's view changes
  /// only its network, /sys and /etc/netns): a file from someone else may not bring programs.
  void checkPrograms() {
    for (const auto& [name, node] : topology_.nodes) {
      // A named copy: clang (the fuzzing build) cannot capture a structured binding before C++20's
      // P1091 is implemented.
      const std::string& node_name = name;
      const auto refusePrograms = [&](const SourceLoc& loc, const char* what) {
        problems_.push_back(Error{ErrorKind::kInvalidTopology,
                                  fmt::format("node '{}' has {}: they run as root on this "
                                              "machine's filesystem; --untrusted refuses them",
                                              excerpt(node_name), what),
                                  loc, 0});
      };
      if (!node.exec.empty()) {
        refusePrograms(node.exec.front().loc, "exec commands");
      }
      if (!node.services.empty()) {
        refusePrograms(node.services.front().loc, "services");
      }
    }
  }

  void checkHostNode() {
    const auto host = topology_.nodes.find(kHostNode);
    if (host == topology_.nodes.end()) {
      return;
    }
    for (const auto& [ifname, settings] : host->second.interfaces) {
      refuse(settings.loc, fmt::format("interface '{}' of node 'host'", excerpt(ifname)));
      for (const auto& address : settings.addresses) {
        refuse(address.loc,
               fmt::format("address {} of interface '{}'", address.ip.cidr(), excerpt(ifname)));
      }
    }
    for (const auto& route : host->second.routes) {
      refuse(route.loc, fmt::format("route to {}", route.is_default ? "default" : route.to.cidr()));
    }
    for (const auto& sysctl : host->second.sysctls) {
      refuse(sysctl.loc, fmt::format("sysctl '{}'", excerpt(sysctl.key)));
    }
  }

  void checkBridges() {
    for (const auto& [name, bridge] : topology_.bridges) {
      if (bridge.kind == BridgeKind::kOvs) {
        refuse(bridge.loc, fmt::format("OVS bridge '{}'", excerpt(name)),
               " (Open vSwitch bridges always live there)");
      } else if (bridge.node == kHostNode) {
        refuse(bridge.loc, fmt::format("bridge '{}'", excerpt(name)),
               " (give the bridge a 'node' of the lab)");
      }
    }
  }

  void checkLinks() {
    for (const auto& link : topology_.links) {
      for (const auto& endpoint : link.endpoints) {
        if (inHost(endpoint)) {
          refuse(endpoint.loc, fmt::format("{} end '{}:{}'", toString(link.kind),
                                           excerpt(endpoint.owner), excerpt(endpoint.ifname)));
        }
      }
      if (link.parent && link.parent->owner == kHostNode) {
        refuse(link.parent->loc, fmt::format("{} parent 'host:{}'", toString(link.kind),
                                             excerpt(link.parent->ifname)));
      }
    }
  }

  void checkExpectations() {
    for (const auto& expectation : topology_.verify.expectations) {
      if (expectation.from == kHostNode) {
        refuse(expectation.loc, "a probe from 'host'");
      }
    }
  }

  const Topology& topology_;
  Diagnostics problems_;
};

}  // namespace

Diagnostics hostObjects(const Topology& topology) {
  return HostObjects(topology).run();
}

}  // namespace nstopo::model
