// SPDX-License-Identifier: Apache-2.0
#include "node_defaults.h"

#include <algorithm>

namespace nstopo::parse {
namespace {

bool wrote(const WrittenInterfaceKeys& written, const std::string& node, const std::string& ifname,
           const char* key) {
  const auto n = written.find(node);
  if (n == written.end()) {
    return false;
  }
  const auto i = n->second.find(ifname);
  return i != n->second.end() && i->second.count(key) > 0;
}

bool hasInterfaceDefaults(const NodeDefaults& defaults) {
  return defaults.mtu || defaults.up || defaults.promisc || defaults.impair;
}

}  // namespace

std::size_t inheritedEntries(const NodeDefaults& defaults, const model::Topology& topology) {
  const auto nodes = static_cast<std::size_t>(
      std::count_if(topology.nodes.begin(), topology.nodes.end(),
                    [](const auto& entry) { return inheritsDefaults(entry.first); }));
  return nodes * (defaults.routes.size() + defaults.sysctls.size());
}

bool inheritsDefaults(const std::string& node_name) {
  return node_name != model::kHostNode;
}

bool sameDestination(const model::Route& a, const model::Route& b) {
  if (a.is_default != b.is_default || a.family != b.family || a.vrf != b.vrf) {
    return false;
  }
  return a.is_default || a.to == b.to;
}

bool impairedByItsLink(const model::Topology& topology, const std::string& node_name,
                       const std::string& ifname) {
  return std::any_of(topology.links.begin(), topology.links.end(), [&](const model::Link& link) {
    return link.impair &&
           std::any_of(link.endpoints.begin(), link.endpoints.end(), [&](const auto& endpoint) {
             return !endpoint.on_bridge && endpoint.owner == node_name && endpoint.ifname == ifname;
           });
  });
}

std::set<std::string> interfacesTakingDefaults(const model::Topology& topology,
                                               const std::string& node_name) {
  std::set<std::string> out;
  if (const auto node = topology.nodes.find(node_name); node != topology.nodes.end()) {
    for (const auto& [ifname, settings] : node->second.interfaces) {
      out.insert(ifname);
    }
  }
  for (const auto& link : topology.links) {
    for (const auto& endpoint : link.endpoints) {
      if (!endpoint.on_bridge && endpoint.owner == node_name) {
        out.insert(endpoint.ifname);
      }
    }
  }
  for (const auto& link : topology.links) {
    // A bond owns its members' MTU and state; the validator refuses them set on a member.
    if (link.kind == model::LinkKind::kBond && !link.endpoints.empty() &&
        link.endpoints.front().owner == node_name) {
      for (const auto& [member, loc] : link.members) {
        out.erase(member);
      }
    }
  }
  out.erase("lo");
  return out;
}

void applyNodeDefaults(const NodeDefaults& defaults, const WrittenInterfaceKeys& written,
                       model::Topology& topology) {
  for (auto& [name, node] : topology.nodes) {
    if (!inheritsDefaults(name)) {
      continue;
    }
    // The node's own entries first, then the inherited ones in the order of `defaults:`.
    for (const auto& sysctl : defaults.sysctls) {
      const bool own = std::any_of(node.sysctls.begin(), node.sysctls.end(),
                                   [&](const model::Sysctl& s) { return s.key == sysctl.key; });
      if (!own) {
        node.sysctls.push_back(sysctl);  // keeps its place in `defaults:`: a bad key is there
      }
    }
    const std::size_t own_routes = node.routes.size();
    for (const auto& route : defaults.routes) {
      const auto end = node.routes.begin() + static_cast<std::ptrdiff_t>(own_routes);
      if (std::none_of(node.routes.begin(), end,
                       [&](const model::Route& r) { return sameDestination(r, route); })) {
        node.routes.push_back(route);
        node.routes.back().loc = node.loc;  // whether it fits depends on the node
      }
    }
    if (!hasInterfaceDefaults(defaults)) {
      continue;
    }
    for (const auto& ifname : interfacesTakingDefaults(topology, name)) {
      auto [it, added] = node.interfaces.try_emplace(ifname);
      auto& settings = it->second;
      if (added) {
        settings.loc = node.loc;
      }
      if (defaults.mtu && !wrote(written, name, ifname, "mtu")) {
        settings.mtu = defaults.mtu;
      }
      if (defaults.up && !wrote(written, name, ifname, "up")) {
        settings.up = *defaults.up;
      }
      if (defaults.promisc && !wrote(written, name, ifname, "promisc")) {
        settings.promisc = defaults.promisc;
      }
      if (defaults.impair && !wrote(written, name, ifname, "impair") &&
          !impairedByItsLink(topology, name, ifname)) {
        settings.impair = defaults.impair;
        settings.impair_loc = defaults.impair_loc;  // a probe's refusal points at the default
      }
    }
  }
}

}  // namespace nstopo::parse
