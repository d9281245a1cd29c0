// SPDX-License-Identifier: Apache-2.0
// Placement, VNI allocation and MTUs of a lab that spans machines (docs/multi-host.md).
//
// Placement: a node goes to its `host:`. A link goes where the interfaces it creates are: a veth
// whose two ends are on two machines becomes a point-to-point VXLAN pair. A bridge in node
// `host` (every Open vSwitch bridge, and a Linux bridge without `node:`) exists on every machine
// one of its ports is on, plus its own `host:`; when that is more than one, each machine's
// instance gets a VXLAN port listing the others as `peers` (head-end replication, no multicast
// in the underlay). A bridge in a lab node goes where that node goes.
//
// VNIs come from a hash of the lab's name and the tunnel's identity (its veth's two ends, or
// its bridge's name), so adding or removing another link does not move them; collisions inside
// the lab probe upwards in vni_range, in identity order, and a `vni:` in the file wins.
#include "nstopo/model/split.h"

#include <sys/socket.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"
#include "nstopo/model/node_addresses.h"

namespace nstopo::model {
namespace {

std::string endText(const Endpoint& end) {
  return end.owner + ":" + end.ifname;
}

/// One tunnel to allocate: a cross-host veth or a bridge over several machines.
struct Item {
  std::string identity;
  std::optional<std::uint32_t> pinned;
  SourceLoc pinned_loc;
  SourceLoc loc;
  std::vector<std::string> hosts;   ///< a veth: the hosts of its ends, in endpoint order
  std::optional<std::size_t> link;  ///< a veth
  std::string bridge;               ///< a bridge
  std::uint32_t vni = 0;
};

class Splitter {
 public:
  Splitter(const Topology& topology, Diagnostics& problems) : t_(topology), problems_(problems) {}

  /// The checks that need nothing but names: `hosts:` itself and each node's and bridge's
  /// `host:`, which the validator runs even when links are wrong.
  void checkNames() {
    checkHosts();
    placeNodes();
    placeBridgesInNodes();
  }

  SplitPlan run() {
    for (const auto& [name, host] : t_.lab_hosts) {
      plan_.parts[name].host = name;
    }
    checkHosts();
    placeNodes();
    placeBridgesInNodes();
    for (std::size_t i = 0; i < t_.links.size(); ++i) {
      placeLink(i);
    }
    finishBridges();
    allocateVnis();
    buildTunnels();
    placeExpectations();
    for (const auto& item : items_) {
      plan_.cross.push_back(
          CrossLink{item.identity, item.vni, tunnelMtu(t_, item.hosts), item.hosts});
    }
    std::sort(plan_.cross.begin(), plan_.cross.end(),
              [](const CrossLink& a, const CrossLink& b) { return a.identity < b.identity; });
    return std::move(plan_);
  }

 private:
  void problem(const SourceLoc& loc, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  }

  [[nodiscard]] std::string hostList() const {
    std::vector<std::string> names;
    for (const auto& [name, host] : t_.lab_hosts) {
      names.push_back(name);
    }
    return fmt::format("{}", fmt::join(names, ", "));
  }

  /// A `host:` naming no machine of `hosts:`, reported with the closest name.
  bool knownHost(const std::string& name, const SourceLoc& loc, const std::string& what) {
    if (t_.lab_hosts.count(name) > 0) {
      return true;
    }
    std::vector<std::string> names;
    for (const auto& [host, unused] : t_.lab_hosts) {
      names.push_back(host);
    }
    const auto close = closestMatch(name, names);
    problem(loc,
            fmt::format("{}: host '{}' is not one of the lab's hosts ({}){}", what, excerpt(name),
                        hostList(), close ? fmt::format("; did you mean '{}'?", *close) : ""));
    return false;
  }

  void checkHosts() {
    std::map<IpAddress, std::string> by_address;
    const LabHost* first = nullptr;
    for (const auto& [name, host] : t_.lab_hosts) {
      // The name becomes a file of `split -o DIR`: the rules of a lab name keep it one.
      if (auto bad = labNameProblem(name)) {
        problem(host.loc, fmt::format("host '{}': {}", excerpt(name), *bad));
      }
      if (host.address.family == 0) {
        continue;  // reported by the parser
      }
      if (const auto [it, fresh] = by_address.emplace(host.address, name); !fresh) {
        problem(host.address_loc,
                fmt::format("host '{}': address {} is already host '{}''s; each machine needs "
                            "its own underlay address",
                            name, host.address.str(), it->second));
      }
      if (first == nullptr) {
        first = &host;
      } else if (first->address.family != host.address.family) {
        problem(host.address_loc,
                fmt::format("host '{}': address {} is not of the family of host '{}''s ({}): the "
                            "tunnels between machines need one underlay family",
                            name, host.address.str(), first->name, first->address.str()));
      }
    }
  }

  [[nodiscard]] std::optional<std::string> nodeHost(const std::string& node) const {
    const auto it = t_.nodes.find(node);
    if (node == kHostNode || it == t_.nodes.end() || !it->second.host ||
        t_.lab_hosts.count(*it->second.host) == 0) {
      return std::nullopt;
    }
    return *it->second.host;
  }

  /// A bridge in node `host` exists on every machine that has one of its ports.
  static bool spans(const Bridge& bridge) { return bridge.node == kHostNode; }

  /// The machine an end decides: its node's, or its bridge's when the bridge is in a lab node.
  /// None for an end in `host` or on a bridge in `host`: it goes where the link goes.
  [[nodiscard]] std::optional<std::string> endHost(const Endpoint& end) const {
    if (const auto b = t_.bridges.find(end.owner); b != t_.bridges.end()) {
      return spans(b->second) ? std::nullopt : nodeHost(b->second.node);
    }
    return nodeHost(end.owner);
  }

  /// The `host:` of a bridge in `host` an end is on, which places a link that has nothing else
  /// to place it.
  [[nodiscard]] std::optional<std::string> bridgeHost(const std::string& name) const {
    const auto b = t_.bridges.find(name);
    if (b == t_.bridges.end() || !spans(b->second) || !b->second.host ||
        t_.lab_hosts.count(*b->second.host) == 0) {
      return std::nullopt;
    }
    return *b->second.host;
  }

  void placeNodes() {
    for (const auto& [name, node] : t_.nodes) {
      if (name == kHostNode) {
        if (node.host) {
          problem(node.host_loc,
                  "node 'host' is each machine's own namespace: it cannot be placed on one; "
                  "its interfaces go where the links that create them go");
        }
        continue;
      }
      if (!node.host) {
        problem(node.loc, fmt::format("node '{}' has no 'host': a lab with hosts: places each "
                                      "node on one of them ({})",
                                      excerpt(name), hostList()));
        continue;
      }
      if (knownHost(*node.host, node.host_loc, fmt::format("node '{}'", excerpt(name)))) {
        plan_.parts[*node.host].nodes.insert(name);
      }
    }
  }

  void placeBridgesInNodes() {
    for (const auto& [name, bridge] : t_.bridges) {
      const std::string what = fmt::format("bridge '{}'", excerpt(name));
      if (bridge.host && !knownHost(*bridge.host, bridge.host_loc, what)) {
        continue;
      }
      if (spans(bridge)) {
        continue;  // finishBridges(), once its ports are placed
      }
      if (bridge.host) {
        problem(bridge.host_loc,
                fmt::format("{} lives in node '{}', so it goes where that node goes; drop its "
                            "'host' (or leave out 'node' to stretch it over machines)",
                            what, bridge.node));
      }
      if (bridge.vni) {
        problem(bridge.vni_loc, fmt::format("{}: 'vni' is for a bridge in host that spans "
                                            "machines; this one lives in node '{}'",
                                            what, bridge.node));
      }
      if (const auto host = nodeHost(bridge.node)) {
        plan_.parts[*host].bridges.insert(name);
        plan_.parts[*host].bridge_homes.insert(name);
      }
    }
  }

  /// Records what an end of a link placed on `part` adds there: an instance of its bridge, a
  /// port name, an interface of node `host`.
  void noteEnd(HostPart& part, const Endpoint& end) {
    if (const auto b = t_.bridges.find(end.owner); b != t_.bridges.end()) {
      part.bridges.insert(end.owner);
      part.bridge_ports[end.owner].insert(end.ifname);
      if (spans(b->second)) {
        bridge_hosts_[end.owner].insert(part.host);
      }
    }
    if (endpointNetns(t_, end) == kHostNode) {
      part.host_interfaces.insert(end.ifname);
    }
  }

  void place(std::size_t index, const std::string& host) {
    const auto& link = t_.links[index];
    auto& part = plan_.parts[host];
    part.links.push_back(index);
    for (const auto& end : link.endpoints) {
      noteEnd(part, end);
    }
    if (link.kind == LinkKind::kOvsInternal) {
      part.bridges.insert(link.ovs_bridge);
      part.bridge_ports[link.ovs_bridge].insert(link.endpoints[0].ifname);
      bridge_hosts_[link.ovs_bridge].insert(host);
    }
  }

  void placeLink(std::size_t index) {
    const auto& link = t_.links[index];
    if (link.endpoints.empty()) {
      return;
    }
    const std::string what =
        link.endpoints.size() == 2
            ? fmt::format("veth {} -- {}", endText(link.endpoints[0]), endText(link.endpoints[1]))
            : fmt::format("{} link {}", toString(link.kind), endText(link.endpoints[0]));
    if (shapeOf(link.kind) == LinkShape::kPair && link.endpoints.size() == 2) {
      const auto& a = link.endpoints[0];
      const auto& b = link.endpoints[1];
      const auto ha = endHost(a);
      const auto hb = endHost(b);
      if (ha && hb && *ha != *hb) {
        Item item;
        const auto ta = endText(a);
        const auto tb = endText(b);
        item.identity = fmt::format("veth {} {}", std::min(ta, tb), std::max(ta, tb));
        item.pinned = link.cross_vni;
        item.pinned_loc = link.cross_vni_loc;
        item.loc = link.loc;
        item.hosts = {*ha, *hb};
        item.link = index;
        items_.push_back(std::move(item));
        return;
      }
      auto host = ha ? ha : hb;
      host = host ? host : bridgeHost(a.owner);
      host = host ? host : bridgeHost(b.owner);
      if (!host) {
        problem(link.loc, fmt::format("{} cannot be placed on a machine: neither end is in a "
                                      "node with 'host' (a bridge in host goes where its ports "
                                      "go; give it 'host' to place it)",
                                      what));
        return;
      }
      if (link.cross_vni) {
        problem(link.cross_vni_loc,
                fmt::format("{}: 'vni' is for a veth whose ends sit on two machines; both of "
                            "this one's are on '{}'",
                            what, *host));
      }
      place(index, *host);
      return;
    }
    const auto& end = link.endpoints[0];
    auto host = endHost(end);
    host = host ? host : bridgeHost(end.owner);
    std::optional<std::string> other;
    std::string other_text;
    if (link.parent) {
      other = endHost(*link.parent);
      other_text = fmt::format("its {} {}", kindInfo(link.kind).parent_key, endText(*link.parent));
    } else if (link.kind == LinkKind::kOvsInternal) {
      other = bridgeHost(link.ovs_bridge);
      other_text = fmt::format("its bridge '{}'", link.ovs_bridge);
    }
    if (host && other && *host != *other) {
      problem(link.loc, fmt::format("{} is on '{}' and {} on '{}': only a veth may join two "
                                    "machines (it becomes a VXLAN tunnel)",
                                    what, *host, other_text, *other));
      return;
    }
    host = host ? host : other;
    if (!host) {
      problem(link.loc, fmt::format("{} cannot be placed on a machine: nothing of it is in a "
                                    "node with 'host'",
                                    what));
      return;
    }
    place(index, *host);
  }

  void finishBridges() {
    for (const auto& [name, bridge] : t_.bridges) {
      if (!spans(bridge)) {
        continue;
      }
      auto hosts = bridge_hosts_[name];
      if (bridge.host && t_.lab_hosts.count(*bridge.host) > 0) {
        hosts.insert(*bridge.host);
      }
      const std::string what = fmt::format("bridge '{}'", excerpt(name));
      if (hosts.empty()) {
        if (!bridge.host) {
          problem(bridge.loc, fmt::format("{} has no port on any machine and no 'host'; give it "
                                          "'host' to place it",
                                          what));
        }
        continue;
      }
      for (const auto& host : hosts) {
        plan_.parts[host].bridges.insert(name);
      }
      std::optional<std::string> home = bridge.host;
      if (!home && hosts.size() == 1) {
        home = *hosts.begin();
      }
      if (home) {
        plan_.parts[*home].bridge_homes.insert(name);
      } else if (!bridge.settings.addresses.empty() || bridge.settings.mac) {
        problem(bridge.loc,
                fmt::format("{} spans {}: its addresses and MAC live on one of them; give it "
                            "'host' to say which",
                            what, fmt::join(hosts, ", ")));
      }
      if (hosts.size() < 2) {
        if (bridge.vni) {
          problem(bridge.vni_loc, fmt::format("{}: 'vni' is for a bridge that spans machines; "
                                              "this one is only on '{}'",
                                              what, *hosts.begin()));
        }
        continue;
      }
      Item item;
      item.identity = "bridge " + name;
      item.pinned = bridge.vni;
      item.pinned_loc = bridge.vni_loc;
      item.loc = bridge.loc;
      item.hosts.assign(hosts.begin(), hosts.end());
      item.bridge = name;
      items_.push_back(std::move(item));
    }
  }

  void allocateVnis() {
    const auto& range = t_.vni_range;
    std::map<std::uint32_t, std::string> used;
    // The file's own VXLANs on the IANA port: the kernel refuses a second device with their
    // VNI over the same underlay, so no tunnel takes one of them.
    for (const auto& link : t_.links) {
      if (const auto* vx = std::get_if<VxlanOptions>(&link.options);
          vx != nullptr && vx->dstport == kVxlanPort && !link.endpoints.empty()) {
        used.emplace(vx->vni, "vxlan link " + endText(link.endpoints[0]));
      }
    }
    std::vector<Item*> order;
    for (auto& item : items_) {
      order.push_back(&item);
    }
    std::sort(order.begin(), order.end(),
              [](const Item* a, const Item* b) { return a->identity < b->identity; });
    for (auto* item : order) {
      if (!item->pinned) {
        continue;
      }
      const auto vni = *item->pinned;
      if (vni < range.first || vni > range.last) {
        problem(item->pinned_loc, fmt::format("{}: vni {} is outside the lab's vni_range [{}, {}]",
                                              item->identity, vni, range.first, range.last));
      } else if (const auto [it, fresh] = used.emplace(vni, item->identity); !fresh) {
        problem(item->pinned_loc,
                fmt::format("{}: vni {} is already {}'s", item->identity, vni, it->second));
      }
      item->vni = vni;
    }
    const std::uint64_t span = std::uint64_t{range.last} - range.first + 1;
    for (auto* item : order) {
      if (item->pinned) {
        continue;
      }
      const std::uint64_t start = hashedVni(t_.name, item->identity, range) - range.first;
      bool found = false;
      for (std::uint64_t k = 0; k < span && !found; ++k) {
        const auto candidate = static_cast<std::uint32_t>(range.first + (start + k) % span);
        if (used.emplace(candidate, item->identity).second) {
          item->vni = candidate;
          found = true;
        }
      }
      if (!found) {
        problem(item->loc, fmt::format("{}: vni_range [{}, {}] has no VNI left for it",
                                       item->identity, range.first, range.last));
      }
    }
  }

  [[nodiscard]] const InterfaceSettings* settingsOf(const std::string& netns,
                                                    const std::string& ifname) const {
    const auto node = t_.nodes.find(netns);
    if (node == t_.nodes.end()) {
      return nullptr;
    }
    const auto it = node->second.interfaces.find(ifname);
    return it == node->second.interfaces.end() ? nullptr : &it->second;
  }

  [[nodiscard]] std::string mtuReason(const Item& item, std::uint32_t mtu) const {
    std::uint32_t underlay = 65535;
    for (const auto& host : item.hosts) {
      underlay = std::min(underlay, t_.lab_hosts.at(host).mtu);
    }
    const int family = t_.lab_hosts.at(item.hosts.front()).address.family;
    return fmt::format("{}: the hosts' underlay MTU {} minus {} bytes of VXLAN over IPv{}", mtu,
                       underlay, vxlanOverhead(family), family == AF_INET6 ? 6 : 4);
  }

  /// An end of a tunnel (or a port of a stretched bridge) gets the tunnel's MTU unless the file
  /// gives one; a larger one would be dropped by the tunnel without a word.
  void fitMtu(const Item& item, std::uint32_t mtu, const std::string& host,
              const std::string& netns, const std::string& ifname) {
    const auto* settings = settingsOf(netns, ifname);
    if (settings == nullptr || !settings->mtu) {
      plan_.parts[host].mtus[{netns, ifname}] = mtu;
      return;
    }
    if (*settings->mtu > mtu) {
      problem(settings->loc,
              fmt::format("{}:{}: mtu {} is more than the tunnel of {} carries ({}); lower it "
                          "(or leave it out: it gets the tunnel's), or raise the hosts' mtu",
                          netns, ifname, *settings->mtu, item.identity, mtuReason(item, mtu)));
    }
  }

  void buildTunnels() {
    for (const auto& item : items_) {
      if (item.vni == 0) {
        continue;
      }
      const auto mtu = tunnelMtu(t_, item.hosts);
      if (item.link) {
        buildPair(item, mtu);
      } else {
        buildSegment(item, mtu);
      }
    }
  }

  void buildPair(const Item& item, std::uint32_t mtu) {
    const auto& link = t_.links[*item.link];
    for (std::size_t side = 0; side < 2; ++side) {
      const auto& host = item.hosts[side];
      auto& part = plan_.parts[host];
      Tunnel tunnel;
      tunnel.endpoint = link.endpoints[side];
      tunnel.vni = item.vni;
      tunnel.local = t_.lab_hosts.at(host).address;
      tunnel.remote = t_.lab_hosts.at(item.hosts[1 - side]).address;
      tunnel.link = item.link;
      part.tunnels.push_back(std::move(tunnel));
      noteEnd(part, link.endpoints[side]);
      fitMtu(item, mtu, host, endpointNetns(t_, link.endpoints[side]), link.endpoints[side].ifname);
    }
    const auto* a = settingsOf(endpointNetns(t_, link.endpoints[0]), link.endpoints[0].ifname);
    const auto* b = settingsOf(endpointNetns(t_, link.endpoints[1]), link.endpoints[1].ifname);
    const auto mtu_a = a != nullptr && a->mtu ? *a->mtu : mtu;
    const auto mtu_b = b != nullptr && b->mtu ? *b->mtu : mtu;
    if (mtu_a != mtu_b && mtu_a <= mtu && mtu_b <= mtu) {
      const auto* place = a != nullptr && a->mtu ? a : b;
      problem(place->loc,
              fmt::format("{}: its ends have mtu {} and {}; the two ends of a tunnel between "
                          "machines need one MTU (the larger end's big packets would be dropped "
                          "at the other); give both {} or leave both out (the tunnel's {})",
                          item.identity, mtu_a, mtu_b, std::min(mtu_a, mtu_b), mtu));
    }
  }

  void buildSegment(const Item& item, std::uint32_t mtu) {
    const auto& bridge = t_.bridges.at(item.bridge);
    const std::string port = fmt::format("vx{}", item.vni);
    for (const auto& host : item.hosts) {
      auto& part = plan_.parts[host];
      Tunnel tunnel;
      tunnel.endpoint = Endpoint{item.bridge, port, true, bridge.loc};
      tunnel.vni = item.vni;
      tunnel.local = t_.lab_hosts.at(host).address;
      for (const auto& other : item.hosts) {
        if (other != host) {
          tunnel.peers.push_back(t_.lab_hosts.at(other).address);
        }
      }
      tunnel.bridge = item.bridge;
      part.tunnels.push_back(std::move(tunnel));
      part.bridge_ports[item.bridge].insert(port);
      part.host_interfaces.insert(port);
      if (bridge.kind == BridgeKind::kLinux) {
        if (!bridge.settings.mtu) {
          part.bridge_mtus[item.bridge] = mtu;
        }
      }
    }
    if (bridge.kind == BridgeKind::kLinux && bridge.settings.mtu && *bridge.settings.mtu > mtu) {
      problem(bridge.loc, fmt::format("bridge '{}': mtu {} is more than the tunnel joining its "
                                      "machines carries ({}); lower it or leave it out",
                                      item.bridge, *bridge.settings.mtu, mtuReason(item, mtu)));
    }
    // Every port of the segment, and what is behind it, takes the tunnel's MTU: a frame larger
    // than that reaches the tunnel and is dropped.
    for (const auto& host : item.hosts) {
      for (const auto index : plan_.parts[host].links) {
        const auto& link = t_.links[index];
        const bool on_bridge =
            std::any_of(link.endpoints.begin(), link.endpoints.end(),
                        [&](const Endpoint& end) { return end.owner == item.bridge; });
        if (link.kind == LinkKind::kVeth && on_bridge) {
          for (const auto& end : link.endpoints) {
            fitMtu(item, mtu, host, endpointNetns(t_, end), end.ifname);
          }
        } else if (link.kind == LinkKind::kOvsInternal && link.ovs_bridge == item.bridge) {
          fitMtu(item, mtu, host, endpointNetns(t_, link.endpoints[0]), link.endpoints[0].ifname);
        }
      }
    }
  }

  void placeExpectations() {
    const auto& expectations = t_.verify.expectations;
    for (std::size_t i = 0; i < expectations.size(); ++i) {
      const auto& e = expectations[i];
      if (e.from == kHostNode) {
        problem(e.loc,
                "an expectation from 'host' cannot be placed in a lab with hosts: (each "
                "machine has its own); probe from a lab node");
        continue;
      }
      if (const auto host = nodeHost(e.from)) {
        plan_.parts[*host].expectations.push_back(i);
      }
    }
    if (!t_.verify.all_pairs) {
      return;
    }
    for (auto& [host, part] : plan_.parts) {
      for (const auto& from : part.nodes) {
        for (const auto& [to, node] : t_.nodes) {
          const auto to_host = nodeHost(to);
          if (!to_host || *to_host == host) {
            continue;  // all_pairs in the part probes its own nodes
          }
          for (const auto& address : nodeAddresses(t_, to, "")) {
            part.remote_probes.emplace_back(from, address);
          }
        }
      }
    }
  }

  const Topology& t_;
  Diagnostics& problems_;
  SplitPlan plan_;
  std::vector<Item> items_;
  std::map<std::string, std::set<std::string>> bridge_hosts_;  ///< of bridges in host
};

}  // namespace

std::uint32_t hashedVni(std::string_view lab, std::string_view identity, const VniRange& range) {
  std::uint32_t hash = 2166136261U;  // FNV-1a, 32 bits
  const auto mix = [&](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 16777619U;
    }
  };
  mix(lab);
  mix("/");
  mix(identity);
  const std::uint64_t span = std::uint64_t{range.last} - range.first + 1;
  return static_cast<std::uint32_t>(range.first + hash % span);
}

std::uint32_t tunnelMtu(const Topology& topology, const std::vector<std::string>& hosts) {
  std::uint32_t underlay = 65535;
  int family = AF_INET;
  for (const auto& name : hosts) {
    const auto it = topology.lab_hosts.find(name);
    if (it != topology.lab_hosts.end()) {
      underlay = std::min(underlay, it->second.mtu);
      family = it->second.address.family == AF_INET6 ? AF_INET6 : family;
    }
  }
  const auto overhead = vxlanOverhead(family);
  return underlay > overhead ? underlay - overhead : 0;
}

std::optional<IpAddress> targetAddress(const Topology& topology, const std::string& target) {
  if (auto ip = parseIp(target)) {
    return ip;
  }
  const auto colon = target.find(':');
  const auto node = target.substr(0, colon);
  const auto ifname = colon == std::string::npos ? "" : target.substr(colon + 1);
  const auto addresses = nodeAddresses(topology, node, ifname);
  for (const auto& address : addresses) {
    if (address.family == AF_INET) {
      return address;
    }
  }
  if (!addresses.empty()) {
    return addresses.front();
  }
  return std::nullopt;
}

void checkHostNames(const Topology& topology, Diagnostics& problems) {
  Splitter(topology, problems).checkNames();
}

SplitPlan planSplit(const Topology& topology, Diagnostics& problems) {
  return Splitter(topology, problems).run();
}

}  // namespace nstopo::model
