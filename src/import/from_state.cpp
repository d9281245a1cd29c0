// SPDX-License-Identifier: Apache-2.0
// `nstopo import`, state -> model: each interface of the imported namespaces becomes what the
// file says to build it (a node interface, a link, a bridge), or one line of `skipped`. A veth
// whose other end is outside the namespaces is still a link: its end in the host is written as
// `host:NAME`, or as `BRIDGE:NAME` when it is a port of a bridge the import includes.
#include <sys/socket.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "nstopo/importer/importer.h"
#include "nstopo/state/unmarked_peers.h"

namespace nstopo::importer {
namespace {

using state::IfRef;
using state::LinkState;

const std::string kHost = model::kHostNode;
/// The MTU every kind nstopo creates starts with: a different one is written.
constexpr std::uint32_t kDefaultMtu = 1500;

model::Link linkOf(model::LinkKind kind) {
  model::Link link;
  link.kind = kind;
  link.options = model::defaultOptions(kind);
  return link;
}

class Converter {
 public:
  Converter(const state::State& actual, const Request& request,
            const std::map<std::string, std::string>& fresh)
      : actual_(actual), request_(request), fresh_(fresh) {
    out_.topology.version = 1;
    out_.topology.name = request.name;
  }

  Result<Imported> run() {
    if (auto ok = checkRequest(); !ok) {
      return tl::unexpected(ok.error());
    }
    for (const auto& name : request_.netns) {
      out_.topology.nodes[name].name = name;
    }
    for (const auto& name : request_.ovs_bridges) {
      addOvsBridge(actual_.ovs_bridges.at(name));
    }
    for (const auto& name : request_.bridges) {
      addLinuxBridge(kHost, actual_.netns.at(kHost).links.at(name));
    }
    // In name order, whatever the order on the command line: the same setup, the same bytes.
    const std::set<std::string> netns(request_.netns.begin(), request_.netns.end());
    // Bridges inside the namespaces first: their ports' endpoints name them.
    for (const auto& name : netns) {
      for (const auto& [ifname, link] : actual_.netns.at(name).links) {
        if (link.kind == model::LinkKind::kBridge) {
          addLinuxBridge(name, link);
        }
      }
    }
    for (const auto& name : netns) {
      const auto& read = actual_.netns.at(name);
      for (const auto& [ifname, link] : read.links) {
        addInterface(IfRef{name, ifname}, link);
      }
      addRoutes(name, read);
      addSysctls(name, read);
    }
    noteUnusedPorts();
    return std::move(out_);
  }

 private:
  Status checkRequest() {
    std::set<std::string> seen;
    for (const auto& name : request_.netns) {
      if (!seen.insert(name).second) {
        return fail(ErrorKind::kInvalidTopology, fmt::format("--netns {} is given twice", name));
      }
      if (name == kHost) {
        return fail(ErrorKind::kInvalidTopology,
                    "--netns host: the host is not a node to import; name "
                    "its bridges with --bridge");
      }
      if (actual_.netns.count(name) == 0) {
        return fail(ErrorKind::kInvalidTopology,
                    fmt::format("namespace '{}' does not exist", name));
      }
    }
    for (const auto& name : request_.bridges) {
      const auto* link = find(IfRef{kHost, name});
      if (link == nullptr) {
        return fail(ErrorKind::kInvalidTopology,
                    fmt::format("no interface '{}' in the host namespace", name));
      }
      if (link->kind != model::LinkKind::kBridge) {
        return fail(ErrorKind::kInvalidTopology,
                    fmt::format("--bridge {}: it is a {} device, not a Linux bridge", name,
                                link->kind_name.empty() ? "plain" : link->kind_name));
      }
    }
    for (const auto& name : request_.ovs_bridges) {
      if (actual_.ovs_unavailable) {
        return fail(ErrorKind::kUnsupported,
                    fmt::format("--ovs-bridge {}: {}", name, *actual_.ovs_unavailable));
      }
      if (actual_.ovs_bridges.count(name) == 0) {
        return fail(ErrorKind::kInvalidTopology, fmt::format("no Open vSwitch bridge '{}'", name));
      }
    }
    return {};
  }

  void skip(const IfRef& ref, const std::string& why) { skip(ref.str() + ": " + why); }

  void skip(std::string line) { out_.skipped.push_back(std::move(line)); }

  [[nodiscard]] const LinkState* find(const IfRef& ref) const {
    const auto netns = actual_.netns.find(ref.netns);
    if (netns == actual_.netns.end()) {
      return nullptr;
    }
    const auto link = netns->second.links.find(ref.name);
    return link == netns->second.links.end() ? nullptr : &link->second;
  }

  [[nodiscard]] bool imported(const std::string& netns) const {
    return std::find(request_.netns.begin(), request_.netns.end(), netns) != request_.netns.end();
  }

  /// The OVS bridge that has `name` as a port, among the imported ones.
  [[nodiscard]] const state::OvsBridgeState* ovsBridgeOf(const std::string& name) const {
    for (const auto& bridge : request_.ovs_bridges) {
      const auto& have = actual_.ovs_bridges.at(bridge);
      if (have.ports.count(name) > 0 && name != bridge) {
        return &have;
      }
    }
    return nullptr;
  }

  /// How the file names the interface `ref` as a link's end: NODE:IF, BRIDGE:IF for a port of
  /// an imported bridge, or nothing (with the reason) when the file cannot say where it is.
  Result<model::Endpoint> endpointOf(const IfRef& ref, const LinkState& link) {
    model::Endpoint end{ref.netns, ref.name, false, {}};
    // Before the master: the kernel reports an OVS port's master as the ovs-system device.
    if (ref.netns == kHost) {
      if (const auto* ovs = ovsBridgeOf(ref.name)) {
        end.owner = ovs->name;
        end.on_bridge = true;
        ports_used_.insert(IfRef{ovs->name, ref.name});
        return end;
      }
    }
    if (!link.master.empty()) {
      if (link.master == "ovs-system") {
        return fail(ErrorKind::kUnsupported,
                    "it is a port of an Open vSwitch bridge the import does not include (add "
                    "--ovs-bridge)");
      }
      if (bridges_.count(link.master) > 0 && bridges_.at(link.master) == ref.netns) {
        end.owner = link.master;
        end.on_bridge = true;
        ports_used_.insert(IfRef{ref.netns, ref.name});
        return end;
      }
      return fail(ErrorKind::kUnsupported,
                  fmt::format("it is a port of '{}', which the import does not include{}",
                              link.master, ref.netns == kHost ? " (add --bridge)" : ""));
    }
    return end;
  }

  void addInterface(const IfRef& ref, const LinkState& link) {
    switch (model::shapeOf(link.kind)) {
      case model::LinkShape::kPair:
        addVeth(ref, link);
        return;
      case model::LinkShape::kStacked:
        addStacked(ref, link);
        return;
      case model::LinkShape::kStandalone:
        if (link.kind != model::LinkKind::kDummy) {
          skip(ref, fmt::format("kind {}: import writes no {} (its members and tables are "
                                "not read back yet)",
                                link.kind_name, link.kind_name));
          return;
        }
        addSingle(ref, link, linkOf(link.kind));
        return;
      case model::LinkShape::kBridge:
        return;  // addLinuxBridge
      case model::LinkShape::kOvsPort:
      case model::LinkShape::kForeign:
        break;
    }
    if (link.kind == model::LinkKind::kLoopback) {
      if (!link.up) {
        skip(ref, "the loopback is down; nstopo always brings it up");
      }
      return;
    }
    const auto* ovs = ovsBridgeOf(ref.name);
    if (ovs != nullptr && ovs->ports.at(ref.name).internal) {
      ports_used_.insert(IfRef{ovs->name, ref.name});
      auto out = linkOf(model::LinkKind::kOvsInternal);
      out.ovs_bridge = ovs->name;
      addSingle(ref, link, std::move(out));
      return;
    }
    skip(ref, fmt::format("kind {}: nstopo does not create this kind",
                          link.kind_name.empty() ? std::string("unknown") : link.kind_name));
  }

  void addVeth(const IfRef& ref, const LinkState& link) {
    if (!link.peer) {
      skip(ref, "a veth whose other end is in no namespace the import reads (or is ambiguous)");
      return;
    }
    const auto* peer = find(*link.peer);
    if (peer == nullptr) {
      skip(ref, "a veth whose other end was not read");
      return;
    }
    // Each pair once: from the end that sorts first among the imported namespaces.
    if (imported(link.peer->netns) && *link.peer < ref) {
      return;
    }
    auto mine = endpointOf(ref, link);
    auto theirs = endpointOf(*link.peer, *peer);
    if (!mine || !theirs) {
      skip(ref, fmt::format("a veth to {}: {}", link.peer->str(),
                            (!mine ? mine : theirs).error().message));
      return;
    }
    auto out = linkOf(model::LinkKind::kVeth);
    out.endpoints = {*mine, *theirs};
    settings(ref, link, *mine);
    settings(*link.peer, *peer, *theirs);
    out_.topology.links.push_back(std::move(out));
  }

  void addStacked(const IfRef& ref, const LinkState& link) {
    if (link.kind == model::LinkKind::kVxlan) {
      skip(ref, "kind vxlan: import writes no vxlan (its peers and underlay are not read back)");
      return;
    }
    if (!link.lower) {
      skip(ref, fmt::format("a {} whose parent is in no namespace the import reads (or is "
                            "ambiguous)",
                            link.kind_name));
      return;
    }
    const auto* lower = find(*link.lower);
    if (lower == nullptr || (link.lower->netns != kHost && !imported(link.lower->netns))) {
      skip(ref, fmt::format("a {} on {}, which the import does not include", link.kind_name,
                            link.lower->str()));
      return;
    }
    auto out = linkOf(link.kind);
    out.options = link.options;
    out.parent = model::Endpoint{link.lower->netns, link.lower->name, false, {}};
    addSingle(ref, link, std::move(out));
  }

  /// A link of one endpoint (stacked, standalone, ovs-internal): the interface itself.
  void addSingle(const IfRef& ref, const LinkState& link, model::Link out) {
    auto end = endpointOf(ref, link);
    if (!end) {
      skip(ref, end.error().message);
      return;
    }
    out.endpoints = {*end};
    settings(ref, link, *end);
    out_.topology.links.push_back(std::move(out));
  }

  /// The interface's settings under its node: only what differs from what nstopo would make.
  void settings(const IfRef& ref, const LinkState& link, const model::Endpoint& end) {
    if (end.on_bridge) {
      if (!link.addresses.empty() || !link.up) {
        skip(ref,
             "a bridge port's addresses and down state are not written (a port is up and "
             "has none)");
      }
      return;
    }
    if (ref.netns == kHost) {
      // The file creates a host end but writes no settings for the host's interfaces.
      if (!link.addresses.empty()) {
        skip(ref, "addresses on a host interface are not written");
      }
      return;
    }
    auto& into = out_.topology.nodes[ref.netns].interfaces[ref.name];
    fill(into, link);
  }

  static void fill(model::InterfaceSettings& into, const LinkState& link) {
    for (const auto& ip : link.addresses) {
      into.addresses.push_back(model::Address{ip, {}});
    }
    into.up = link.up;
    if (link.mtu && *link.mtu != kDefaultMtu) {
      into.mtu = link.mtu;
    }
    if (link.promisc.value_or(false)) {
      into.promisc = true;
    }
  }

  void addLinuxBridge(const std::string& netns, const LinkState& link) {
    model::Bridge bridge;
    bridge.name = link.name;
    bridge.kind = model::BridgeKind::kLinux;
    bridge.node = netns;
    bridge.stp = link.stp;
    bridge.vlan_filtering = link.vlan_filtering;
    fill(bridge.settings, link);
    bridge.settings.promisc.reset();  // never promisc in a file: the kernel sets it for ports
    if (out_.topology.bridges.count(link.name) > 0) {
      skip(IfRef{netns, link.name},
           "a second bridge of this name (bridge names are one space "
           "in a file)");
      return;
    }
    bridges_[link.name] = netns;
    out_.topology.bridges[link.name] = std::move(bridge);
  }

  void addOvsBridge(const state::OvsBridgeState& have) {
    model::Bridge bridge;
    bridge.name = have.name;
    bridge.kind = model::BridgeKind::kOvs;
    bridge.datapath = have.datapath.empty() ? "auto" : have.datapath;
    bridge.fail_mode = have.fail_mode;
    bridge.protocols = have.protocols;
    bridge.external_ids = have.external_ids;
    for (const auto& [name, port] : have.ports) {
      if (name == have.name) {
        continue;  // its own internal port, which OVS makes with the bridge
      }
      model::OvsPortSettings settings;
      settings.tag = port.tag;
      settings.trunks = port.trunks;
      settings.external_ids = port.external_ids;
      if (settings.tag || !settings.trunks.empty() || !settings.external_ids.empty()) {
        bridge.ports[name] = std::move(settings);
      }
    }
    out_.topology.bridges[have.name] = std::move(bridge);
  }

  /// Ports of the imported bridges that no link of the file creates.
  void noteUnusedPorts() {
    for (const auto& name : request_.ovs_bridges) {
      for (const auto& entry : actual_.ovs_bridges.at(name).ports) {
        const auto& port = entry.first;
        if (port != name && ports_used_.count(IfRef{name, port}) == 0) {
          skip(
              fmt::format("{}:{}: an Open vSwitch port whose device is in no namespace the "
                          "import reads",
                          name, port));
          out_.topology.bridges[name].ports.erase(port);
        }
      }
    }
    // Ports inside an imported namespace were each written or listed as interfaces of it.
    const auto host = actual_.netns.find(kHost);
    for (const auto& [bridge, netns] : bridges_) {
      if (netns != kHost || host == actual_.netns.end()) {
        continue;
      }
      for (const auto& [ifname, link] : host->second.links) {
        if (link.master == bridge && ports_used_.count(IfRef{kHost, ifname}) == 0) {
          skip(IfRef{kHost, ifname}, fmt::format("a port of '{}' that no link of an imported "
                                                 "namespace reaches",
                                                 bridge));
        }
      }
    }
  }

  void addRoutes(const std::string& name, const state::NetnsState& netns) {
    auto& node = out_.topology.nodes[name];
    for (const auto& [key, route] : netns.routes) {
      if (route.table != state::kMainTable) {
        skip(
            fmt::format("{}: route {} in table {}: routes outside the main table are not "
                        "imported",
                        name, route.str(), route.table));
        continue;
      }
      model::Route out;
      out.is_default = route.is_default;
      out.to = route.to;
      out.family = route.family;
      out.via = route.via;
      if (!route.dev.empty()) {
        out.dev = route.dev;
      }
      if (route.metric != 0) {
        out.metric = route.metric;
      }
      node.routes.push_back(std::move(out));
    }
  }

  void addSysctls(const std::string& name, const state::NetnsState& netns) {
    for (const auto& key : comparedSysctls()) {
      const auto have = netns.sysctls.find(key);
      const auto fresh = fresh_.find(key);
      if (have == netns.sysctls.end() || fresh == fresh_.end() || have->second == fresh->second) {
        continue;
      }
      out_.topology.nodes[name].sysctls.push_back(model::Sysctl{key, have->second, {}});
    }
  }

  const state::State& actual_;
  const Request& request_;
  const std::map<std::string, std::string>& fresh_;
  Imported out_;
  std::map<std::string, std::string> bridges_;  ///< Linux bridge -> its namespace
  std::set<IfRef> ports_used_;                  ///< (bridge or netns, port) written as an end
};

}  // namespace

const std::vector<std::string>& comparedSysctls() {
  static const std::vector<std::string> keys = {
      "net.ipv4.ip_forward",  // net.ipv4.conf.all.forwarding is the same switch
      "net.ipv4.conf.all.rp_filter",
      "net.ipv4.conf.default.rp_filter",
      "net.ipv4.conf.all.proxy_arp",
      "net.ipv4.conf.all.accept_redirects",
      "net.ipv4.conf.all.send_redirects",
      "net.ipv4.ip_nonlocal_bind",
      "net.ipv6.conf.all.forwarding",
      "net.ipv6.conf.all.disable_ipv6",
      "net.ipv6.conf.default.disable_ipv6",
      "net.ipv6.conf.all.accept_ra",
  };
  return keys;
}

state::ReadScope scopeFor(const Request& request) {
  state::ReadScope scope;
  scope.lab = request.name;
  scope.netns.insert(kHost);
  for (const auto& name : request.netns) {
    scope.netns.insert(name);
    scope.sysctl_keys[name] = comparedSysctls();
  }
  scope.ovs = !request.ovs_bridges.empty();
  scope.unmarked_routes = true;
  return scope;
}

Result<Imported> fromState(const state::State& actual, const Request& request,
                           const std::map<std::string, std::string>& fresh_sysctls) {
  state::State paired = actual;
  state::pairUnmarkedLinks(paired);
  return Converter(paired, request, fresh_sysctls).run();
}

}  // namespace nstopo::importer
