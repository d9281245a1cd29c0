// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_vrf.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"

namespace nstopo::model {
namespace {

class VrfRules {
 public:
  VrfRules(const Topology& topology, Diagnostics& problems)
      : topology_(topology), problems_(problems) {}

  void run() {
    collect();
    for (const auto& [node_name, node] : topology_.nodes) {
      for (const auto& [ifname, settings] : node.interfaces) {
        if (settings.vrf) {
          checkMember(node_name, ifname, settings);
        }
      }
      for (const auto& route : node.routes) {
        if (route.vrf) {
          checkReference(node_name, *route.vrf, route.loc,
                         fmt::format("node '{}' route to {}", excerpt(node_name),
                                     route.is_default ? "default" : route.to.cidr()));
        }
      }
    }
  }

 private:
  void problem(const SourceLoc& loc, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  }

  /// The VRFs of every node, and the interfaces that are ports of a Linux bridge already.
  void collect() {
    std::map<std::pair<std::string, std::uint32_t>, const Link*> tables;
    for (const auto& link : topology_.links) {
      for (const auto& endpoint : link.endpoints) {
        if (endpoint.on_bridge) {  // owned by its bridge, in the bridge's node
          bridge_ports_.insert(endpointNetns(topology_, endpoint) + ":" + endpoint.ifname);
        }
      }
      const auto* options = std::get_if<VrfOptions>(&link.options);
      if (options == nullptr || link.endpoints.size() != 1) {
        continue;
      }
      const auto& endpoint = link.endpoints[0];
      vrfs_[endpoint.owner].push_back(endpoint.ifname);
      const auto [first, inserted] =
          tables.emplace(std::pair(endpoint.owner, options->table), &link);
      if (!inserted && options->table != 0) {
        problem(link.loc,
                fmt::format("vrf '{}:{}' takes table {} like vrf '{}' at line {}: two VRFs of one "
                            "node would share their routes",
                            excerpt(endpoint.owner), excerpt(endpoint.ifname), options->table,
                            excerpt(first->second->endpoints[0].ifname), first->second->loc.line));
      }
    }
  }

  void checkMember(const std::string& node_name, const std::string& ifname,
                   const InterfaceSettings& settings) {
    const std::string where = fmt::format("{}:{}", excerpt(node_name), excerpt(ifname));
    if (!checkReference(node_name, *settings.vrf, settings.vrf_loc, where)) {
      return;
    }
    if (isVrf(node_name, ifname)) {
      problem(settings.vrf_loc, fmt::format("{}: a VRF cannot join another VRF", where));
    } else if (bridge_ports_.count(node_name + ":" + ifname) > 0) {
      problem(settings.vrf_loc, fmt::format("{}: it is the port of a bridge, which is its "
                                            "master; put the bridge in the VRF instead",
                                            where));
    }
  }

  /// Whether `vrf` names a VRF of `node_name`; reported with a hint when it does not.
  bool checkReference(const std::string& node_name, const std::string& vrf, const SourceLoc& loc,
                      const std::string& where) {
    if (isVrf(node_name, vrf)) {
      return true;
    }
    std::string message = fmt::format("{}: vrf '{}' is not a VRF the lab creates in node '{}'",
                                      where, excerpt(vrf), excerpt(node_name));
    const auto here = vrfs_.find(node_name);
    if (here != vrfs_.end()) {
      if (const auto match = closestMatch(vrf, here->second)) {
        message += fmt::format(" (did you mean '{}'?)", excerpt(*match));
      }
    }
    problem(loc, std::move(message));
    return false;
  }

  [[nodiscard]] bool isVrf(const std::string& node_name, const std::string& name) const {
    const auto here = vrfs_.find(node_name);
    return here != vrfs_.end() &&
           std::find(here->second.begin(), here->second.end(), name) != here->second.end();
  }

  const Topology& topology_;
  Diagnostics& problems_;
  std::map<std::string, std::vector<std::string>> vrfs_;  ///< node -> its VRFs
  std::set<std::string> bridge_ports_;                    ///< "node:ifname"
};

}  // namespace

void validateVrf(const Topology& topology, Diagnostics& problems) {
  VrfRules(topology, problems).run();
}

}  // namespace nstopo::model
