// SPDX-License-Identifier: Apache-2.0
#include "nstopo/state/desired.h"

#include <sys/socket.h>

#include <algorithm>

#include "nstopo/state/ownership.h"

namespace nstopo::state {
namespace {

using model::kHostNode;

NetnsState& netnsFor(State& state, const std::string& name) {
  auto& netns = state.netns[name];
  netns.name = name;
  netns.owner = state.lab;
  return netns;
}

/// The root qdisc of an interface: nothing when the kernel's form of `impair:` is empty (0 %
/// loss alone), so the plan leaves the kernel's default in place.
void applyImpairment(LinkState& link, const model::Impairment& impair, const SourceLoc& origin) {
  const auto kernel = model::kernelForm(impair);
  if (!kernel.empty()) {
    link.impair = kernel;
    link.impair_origin = origin;
  }
}

void applySettings(LinkState& link, const model::InterfaceSettings& settings) {
  if (settings.mtu) {
    link.mtu = settings.mtu;
  }
  if (settings.mac) {
    link.mac = settings.mac;
  }
  link.up = settings.up;
  link.promisc = settings.promisc;
  if (settings.impair) {
    applyImpairment(link, *settings.impair, settings.impair_loc);
  }
  for (const auto& address : settings.addresses) {
    link.addresses.insert(address.ip);
  }
}

/// A VXLAN without an MTU of its own gets its underlay's minus the encapsulation (50 bytes over
/// IPv4, 70 over IPv6) when the file gives the underlay's MTU, so drift from it shows in the plan.
/// The kernel applies the same rule at creation, which covers an underlay of unknown MTU (an
/// existing device of the host, a lab interface left at the kernel's default).
void defaultVxlanMtus(State& state) {
  for (auto& [netns_name, netns] : state.netns) {
    for (auto& [name, link] : netns.links) {
      const auto* vxlan = std::get_if<model::VxlanOptions>(&link.options);
      if (vxlan == nullptr || link.mtu || !link.lower) {
        continue;
      }
      const auto lower_netns = state.netns.find(link.lower->netns);
      if (lower_netns == state.netns.end()) {
        continue;
      }
      const auto lower = lower_netns->second.links.find(link.lower->name);
      const auto overhead = model::vxlanOverhead(vxlan->family());
      if (lower != lower_netns->second.links.end() && lower->second.mtu &&
          *lower->second.mtu > overhead) {
        link.mtu = *lower->second.mtu - overhead;
      }
    }
  }
}

/// A bridge's port the file gives an IPv6 address, or names as an IPv6 route's device, keeps
/// IPv6: with it switched off (disable_ipv6) the kernel refuses both (EACCES). Such a port gets
/// its link-local address too, as a node's interface does.
void keepIpv6WhereUsed(State& state) {
  for (auto& [netns_name, netns] : state.netns) {
    for (auto& entry : netns.links) {
      const std::string& name = entry.first;  // a plain name: a lambda cannot capture a binding
      LinkState& link = entry.second;
      if (link.ipv6_link_local != false) {
        continue;
      }
      const bool has_address =
          std::any_of(link.addresses.begin(), link.addresses.end(),
                      [](const IpAddress& address) { return address.family == AF_INET6; });
      const bool routes_over =
          std::any_of(netns.routes.begin(), netns.routes.end(), [&](const auto& route) {
            return route.second.family == AF_INET6 && route.second.dev == name;
          });
      if (has_address || routes_over) {
        link.ipv6_link_local.reset();
      }
    }
  }
}

/// The table of a VRF the lab creates in `netns` (the validator made sure there is one).
std::uint32_t vrfTable(const NetnsState& netns, const std::string& vrf) {
  const auto it = netns.links.find(vrf);
  const auto* options =
      it == netns.links.end() ? nullptr : std::get_if<model::VrfOptions>(&it->second.options);
  return options == nullptr ? kMainTable : options->table;
}

}  // namespace

State desiredState(const model::Topology& topology) {
  State state;
  state.lab = topology.name;
  netnsFor(state, kHostNode);
  for (const auto& [name, node] : topology.nodes) {
    auto& netns = netnsFor(state, name);
    netns.origin = node.loc;
    for (const auto& sysctl : node.sysctls) {
      netns.sysctls[sysctl.key] = sysctl.value;
      netns.sysctl_origin[sysctl.key] = sysctl.loc;
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    if (bridge.kind == model::BridgeKind::kOvs) {
      auto& ovs = state.ovs_bridges[name];
      ovs.name = name;
      ovs.datapath = bridge.datapath;
      ovs.fail_mode = bridge.fail_mode;
      ovs.protocols = bridge.protocols;
      ovs.external_ids = bridge.external_ids;
      ovs.owner = topology.name;
      ovs.origin = bridge.loc;
      continue;
    }
    auto& link = netnsFor(state, bridge.node).links[name];
    link.name = name;
    link.kind = LinkKind::kBridge;
    link.kind_name = model::toString(LinkKind::kBridge);
    link.owner = topology.name;
    link.stp = bridge.stp;
    link.vlan_filtering = bridge.vlan_filtering;
    link.mtu = bridge.settings.mtu;
    link.mac = bridge.settings.mac;
    link.up = bridge.settings.up;
    link.origin = bridge.loc;
    for (const auto& address : bridge.settings.addresses) {
      link.addresses.insert(address.ip);
    }
  }
  // An OVS port: its settings come from the bridge's `ports:` entry.
  auto add_port = [&](const std::string& bridge, const std::string& port, bool internal,
                      const SourceLoc& origin) {
    auto& out = state.ovs_bridges[bridge].ports[port];
    out.name = port;
    out.internal = internal;
    out.owner = topology.name;
    out.origin = origin;
    const auto& settings = topology.bridges.at(bridge).ports;
    if (const auto it = settings.find(port); it != settings.end()) {
      out.tag = it->second.tag;
      out.trunks = it->second.trunks;
      out.external_ids = it->second.external_ids;
    }
  };
  auto addPair = [&](const model::Link& link) {
    const IfRef ends[2] = {
        IfRef{model::endpointNetns(topology, link.endpoints[0]), link.endpoints[0].ifname},
        IfRef{model::endpointNetns(topology, link.endpoints[1]), link.endpoints[1].ifname}};
    for (int i = 0; i < 2; ++i) {
      const auto& endpoint = link.endpoints[static_cast<std::size_t>(i)];
      auto& out = netnsFor(state, ends[i].netns).links[ends[i].name];
      out.name = ends[i].name;
      out.kind = link.kind;
      out.kind_name = model::toString(link.kind);
      out.owner = topology.name;
      out.peer = ends[1 - i];
      const auto bridge = topology.bridges.find(endpoint.owner);
      const bool on_ovs = endpoint.on_bridge && bridge != topology.bridges.end() &&
                          bridge->second.kind == model::BridgeKind::kOvs;
      out.master = endpoint.on_bridge && !on_ovs ? endpoint.owner : "";
      // A bridge's port usually carries no address, so it needs no IPv6 of its own either
      // (keepIpv6WhereUsed gives it back to one that does). Without it
      // the port sends no duplicate address probe, router solicitation or MLD report, and the
      // namespace's IPv6 routing table does not grow by a route per port (a link-local one and a
      // multicast one), which the kernel walks whole on each port that comes up or goes
      // (quadratic at thousands of ports).
      if (endpoint.on_bridge) {
        out.ipv6_link_local = false;
      }
      if (on_ovs) {
        out.ovs_bridge = endpoint.owner;
        add_port(endpoint.owner, endpoint.ifname, false, endpoint.loc);
      }
      out.up = true;
      out.origin = endpoint.loc;
      if (link.impair) {
        applyImpairment(out, *link.impair, link.impair_loc);
      }
    }
  };
  std::vector<std::pair<IfRef, std::string>> bond_members;  // a member, its bond
  for (const auto& link : topology.links) {
    for (const auto& [member, loc] : link.members) {
      bond_members.emplace_back(IfRef{model::endpointNetns(topology, link.endpoints.at(0)), member},
                                link.endpoints.at(0).ifname);
    }
    switch (model::shapeOf(link.kind)) {
      case model::LinkShape::kOvsPort:
        if (link.endpoints.size() == 1) {
          const auto& endpoint = link.endpoints[0];
          add_port(link.ovs_bridge, endpoint.ifname, true, endpoint.loc);
          auto& out =
              netnsFor(state, model::endpointNetns(topology, endpoint)).links[endpoint.ifname];
          out.master = endpoint.on_bridge ? endpoint.owner : "";
          out.name = endpoint.ifname;
          out.kind = link.kind;
          out.kind_name = model::toString(link.kind);
          out.owner = topology.name;
          out.ovs_bridge = link.ovs_bridge;
          out.up = true;
          out.origin = endpoint.loc;
          if (link.impair) {
            applyImpairment(out, *link.impair, link.impair_loc);
          }
        }
        break;
      case model::LinkShape::kStacked:
      case model::LinkShape::kStandalone:
        // One new interface in a node, on its parent when the kind stacks.
        if (link.endpoints.size() == 1 && (link.parent || !model::isStacked(link.kind))) {
          const auto& endpoint = link.endpoints[0];
          auto& out =
              netnsFor(state, model::endpointNetns(topology, endpoint)).links[endpoint.ifname];
          out.name = endpoint.ifname;
          out.kind = link.kind;
          out.kind_name = model::toString(link.kind);
          out.owner = topology.name;
          if (link.parent) {
            out.lower = IfRef{link.parent->owner, link.parent->ifname};
          }
          if (endpoint.on_bridge) {  // a vxlan as a bridge's port
            if (topology.bridges.at(endpoint.owner).kind == model::BridgeKind::kOvs) {
              out.ovs_bridge = endpoint.owner;
              add_port(endpoint.owner, endpoint.ifname, false, endpoint.loc);
            } else {
              out.master = endpoint.owner;
            }
          }
          out.options = link.options;
          if (link.primary) {
            out.bond_primary = link.primary->first;
          }
          for (const auto& peer : link.peers) {
            out.fdb_peers.insert(peer.ip);
          }
          out.up = true;
          out.origin = endpoint.loc;
          if (link.impair) {
            applyImpairment(out, *link.impair, link.impair_loc);
          }
        }
        break;
      case model::LinkShape::kPair:
        if (link.endpoints.size() == 2) {
          addPair(link);
        }
        break;
      case model::LinkShape::kBridge:
      case model::LinkShape::kForeign:
        break;  // never in `links:` (the parser refuses them)
    }
  }
  for (const auto& [node_name, node] : topology.nodes) {
    auto& netns = netnsFor(state, node_name);
    for (const auto& [ifname, settings] : node.interfaces) {
      if (ifname == "lo") {
        netns.loopback_up = settings.up;
        for (const auto& address : settings.addresses) {
          netns.loopback_addresses.insert(address.ip);
        }
        continue;
      }
      if (auto it = netns.links.find(ifname); it != netns.links.end()) {
        applySettings(it->second, settings);
        if (settings.vrf) {
          it->second.master = *settings.vrf;  // a VRF is its members' master, like a bridge
        }
      }
    }
    for (const auto& route : node.routes) {
      RouteState out;
      out.family = route.family;
      out.is_default = route.is_default;
      out.to = route.to;
      out.via = route.via;
      out.dev = route.dev.value_or("");
      out.metric = route.metric.value_or(route.family == AF_INET6 ? 1024U : 0U);
      if (route.vrf) {
        out.table = vrfTable(netns, *route.vrf);
      }
      out.origin = route.loc;
      netns.routes.emplace(out.key(), out);
    }
  }
  for (const auto& [member, bond] : bond_members) {
    auto& links = state.netns[member.netns].links;
    if (const auto it = links.find(member.name); it != links.end()) {
      it->second.master = bond;  // a bond is its members' master, like a bridge
    }
  }
  keepIpv6WhereUsed(state);
  defaultVxlanMtus(state);
  // The host namespace only appears in the diff when the lab puts something there.
  if (const auto host = state.netns.find(kHostNode);
      host != state.netns.end() && host->second.links.empty() && host->second.routes.empty()) {
    state.netns.erase(host);
  }
  return state;
}

ReadScope scopeFor(const State& desired, const std::set<std::string>& owned_netns) {
  ReadScope scope;
  scope.lab = desired.lab;
  scope.netns.insert(kHostNode);
  for (const auto& [name, netns] : desired.netns) {
    scope.netns.insert(name);
    for (const auto& [key, value] : netns.sysctls) {
      scope.sysctl_keys[name].push_back(key);
    }
    for (const auto& [ifname, link] : netns.links) {
      // vswitchd makes internal ports' devices: no kernel kind of nstopo's to probe.
      if (const auto kernel = model::kindInfo(link.kind).kernel_kind; !kernel.empty()) {
        scope.link_kinds.emplace(kernel);
      }
      if (link.impair) {
        scope.qdisc_kinds.emplace(model::rootQdiscKind(*link.impair));
        if (link.impair->needsNetem() && link.impair->rate) {
          scope.qdisc_kinds.emplace("tbf");  // the child that holds the rate
        }
      }
      // Both ends of a veth on an OVS port may need TX checksum offload turned off.
      if (link.kind == LinkKind::kVeth && !link.ovs_bridge.empty() && link.peer) {
        scope.tx_checksum_links.insert(IfRef{name, ifname});
        scope.tx_checksum_links.insert(*link.peer);
      }
    }
  }
  scope.netns.insert(owned_netns.begin(), owned_netns.end());
  scope.ovs = !desired.ovs_bridges.empty();
  return scope;
}

}  // namespace nstopo::state
