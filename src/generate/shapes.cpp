// SPDX-License-Identifier: Apache-2.0
// Who is wired to whom, for each shape: the nodes with their roles, the veth pairs and the LANs,
// each interface named. Addresses and routes come later (address_pool.cpp, routes.cpp).
#include <fmt/format.h>

#include "nstopo/generate/lab_graph.h"

namespace nstopo::generate {
namespace {

Attachment attachment(std::size_t node, std::string ifname, std::string port = {},
                      bool is_bridge = false) {
  Attachment out;
  out.node = node;
  out.ifname = std::move(ifname);
  out.port = std::move(port);
  out.is_bridge = is_bridge;
  return out;
}

Lan lanOf(std::string bridge, LanFlavor flavor, std::optional<std::size_t> bridge_node) {
  Lan out;
  out.bridge = std::move(bridge);
  out.flavor = flavor;
  out.bridge_node = bridge_node;
  return out;
}

class Builder {
 public:
  explicit Builder(LabGraph& graph) : graph_(graph) {}

  std::size_t node(std::string name, Role role) {
    graph_.nodes.push_back(GraphNode{std::move(name), role});
    next_eth_.push_back(0);
    return graph_.nodes.size() - 1;
  }

  /// A veth pair between two nodes; each end is the node's next ethN.
  void pair(std::size_t a, std::size_t b) {
    Segment segment;
    segment.members.push_back(attachment(a, nextEth(a)));
    segment.members.push_back(attachment(b, nextEth(b)));
    graph_.segments.push_back(std::move(segment));
  }

  /// A LAN: `gateway` (a router holding the bridge and its address) or none, and members each
  /// on a port of the bridge.
  void lan(const Lan& lan, std::optional<std::size_t> gateway,
           const std::vector<std::size_t>& members, const std::string& port_prefix) {
    Segment segment;
    segment.lan = lan;
    if (gateway) {
      segment.members.push_back(attachment(*gateway, lan.bridge, {}, true));
    }
    int index = 1;
    for (const auto member : members) {
      const auto port = fmt::format("{}{}", port_prefix, index++);
      if (lan.flavor == LanFlavor::kOvsInternal) {
        // The internal port is the member's interface: OVS names the device after the port.
        segment.members.push_back(attachment(member, port));
      } else {
        segment.members.push_back(attachment(member, nextEth(member), port));
      }
    }
    graph_.segments.push_back(std::move(segment));
  }

 private:
  std::string nextEth(std::size_t node) { return fmt::format("eth{}", next_eth_[node]++); }

  LabGraph& graph_;
  std::vector<int> next_eth_;
};

std::string prefixOf(const ShapeSpec& spec, const std::string& role) {
  for (const auto& [name, prefix] : spec.prefixes) {
    if (name == role) {
      return prefix;
    }
  }
  return role;  // generateTopology() fills every role; this keeps a name if it did not
}

std::vector<std::size_t> numbered(Builder& builder, const std::string& prefix, int count,
                                  Role role) {
  std::vector<std::size_t> out;
  for (int i = 1; i <= count; ++i) {
    out.push_back(builder.node(fmt::format("{}{}", prefix, i), role));
  }
  return out;
}

void star(const ShapeSpec& spec, LabGraph& graph, Builder& builder) {
  const auto hosts = numbered(builder, prefixOf(spec, "host"), spec.nodes, Role::kHost);
  const auto sw = prefixOf(spec, "switch");
  auto lan = lanOf(sw + "-br", spec.star_link, std::nullopt);
  switch (spec.star_link) {
    case LanFlavor::kLinuxVeth:
      // The bridge gets a namespace of its own, so the lab changes nothing in host, and an
      // address, so that namespace reaches the hosts too.
      lan.bridge_node = builder.node(sw, Role::kSwitch);
      builder.lan(lan, lan.bridge_node, hosts, "p");
      graph.summary = fmt::format("{} hosts on a Linux bridge in namespace {}", spec.nodes, sw);
      return;
    case LanFlavor::kOvsVeth:
      // OVS ports live in host, where names are shared with the machine: prefix them.
      builder.lan(lan, std::nullopt, hosts, sw + "-p");
      graph.summary =
          fmt::format("{} hosts on an Open vSwitch bridge, through veth pairs", spec.nodes);
      return;
    case LanFlavor::kOvsInternal:
      builder.lan(lan, std::nullopt, hosts, sw + "-p");
      graph.summary = fmt::format(
          "{} hosts on an Open vSwitch bridge, each through an "
          "internal port",
          spec.nodes);
      return;
  }
}

void chainOrRing(const ShapeSpec& spec, LabGraph& graph, Builder& builder, bool ring) {
  const auto routers = numbered(builder, prefixOf(spec, "router"), spec.nodes, Role::kRouter);
  for (std::size_t i = 0; i + 1 < routers.size(); ++i) {
    builder.pair(routers[i], routers[i + 1]);
  }
  if (ring) {
    builder.pair(routers.back(), routers.front());
  }
  graph.summary = fmt::format("{} routers in a {}", spec.nodes, ring ? "ring" : "line");
}

void fullMesh(const ShapeSpec& spec, LabGraph& graph, Builder& builder) {
  const auto routers = numbered(builder, prefixOf(spec, "router"), spec.nodes, Role::kRouter);
  for (std::size_t i = 0; i < routers.size(); ++i) {
    for (std::size_t j = i + 1; j < routers.size(); ++j) {
      builder.pair(routers[i], routers[j]);
    }
  }
  graph.summary = fmt::format("{} routers, each linked to every other", spec.nodes);
}

void tree(const ShapeSpec& spec, LabGraph& graph, Builder& builder) {
  // Levels 0..depth-1 are routers, the last level hosts; numbered level by level.
  int inner = 0;
  int level_size = 1;
  for (int level = 0; level < spec.depth; ++level) {
    inner += level_size;
    level_size *= spec.fanout;
  }
  const auto routers = numbered(builder, prefixOf(spec, "router"), inner, Role::kRouter);
  const auto hosts = numbered(builder, prefixOf(spec, "host"), level_size, Role::kHost);
  // Node i of the whole tree (routers first, then hosts) has children fanout*i+1 ... .
  const auto at = [&](std::size_t i) {
    return i < routers.size() ? routers[i] : hosts[i - routers.size()];
  };
  const auto fanout = static_cast<std::size_t>(spec.fanout);
  for (std::size_t parent = 0; parent < routers.size(); ++parent) {
    for (std::size_t c = 1; c <= fanout; ++c) {
      builder.pair(at(parent), at(parent * fanout + c));
    }
  }
  graph.summary = fmt::format("a tree of depth {} and fan-out {}: {} routers, {} hosts", spec.depth,
                              spec.fanout, inner, level_size);
}

/// Each leaf (or edge switch) holds a Linux bridge with its hosts and the bridge's address as
/// their gateway: one subnet per rack.
void racks(const std::vector<std::size_t>& tops, int hosts_per_top, const std::string& host_prefix,
           Builder& builder, LabGraph& graph) {
  std::vector<std::vector<std::size_t>> members(tops.size());
  int next = 1;
  for (auto& rack : members) {
    for (int h = 0; h < hosts_per_top; ++h) {
      rack.push_back(builder.node(fmt::format("{}{}", host_prefix, next++), Role::kHost));
    }
  }
  for (std::size_t t = 0; t < tops.size(); ++t) {
    const auto lan = lanOf(graph.nodes[tops[t]].name + "-br", LanFlavor::kLinuxVeth, tops[t]);
    builder.lan(lan, tops[t], members[t], "p");
  }
}

void leafSpine(const ShapeSpec& spec, LabGraph& graph, Builder& builder) {
  const auto spines = numbered(builder, prefixOf(spec, "spine"), spec.spines, Role::kRouter);
  const auto leaves = numbered(builder, prefixOf(spec, "leaf"), spec.leaves, Role::kRouter);
  for (const auto leaf : leaves) {
    for (const auto spine : spines) {
      builder.pair(leaf, spine);
    }
  }
  racks(leaves, spec.hosts, prefixOf(spec, "host"), builder, graph);
  graph.summary = fmt::format(
      "{} spine(s), {} leaf switch(es), {} host(s) per leaf on the leaf's bridge; every leaf "
      "linked to every spine",
      spec.spines, spec.leaves, spec.hosts);
}

void fatTree(const ShapeSpec& spec, LabGraph& graph, Builder& builder) {
  const int half = spec.k / 2;
  const auto cores = numbered(builder, prefixOf(spec, "core"), half * half, Role::kRouter);
  const auto aggs = numbered(builder, prefixOf(spec, "agg"), spec.k * half, Role::kRouter);
  const auto edges = numbered(builder, prefixOf(spec, "edge"), spec.k * half, Role::kRouter);
  const auto h = static_cast<std::size_t>(half);
  for (std::size_t pod = 0; pod < static_cast<std::size_t>(spec.k); ++pod) {
    // Aggregation switch j of every pod goes to the j-th group of half cores.
    for (std::size_t j = 0; j < h; ++j) {
      for (std::size_t c = 0; c < h; ++c) {
        builder.pair(aggs[pod * h + j], cores[j * h + c]);
      }
    }
    for (std::size_t i = 0; i < h; ++i) {
      for (std::size_t j = 0; j < h; ++j) {
        builder.pair(edges[pod * h + i], aggs[pod * h + j]);
      }
    }
  }
  racks(edges, half, prefixOf(spec, "host"), builder, graph);
  graph.summary = fmt::format(
      "a k={} fat tree: {} core, {} aggregation and {} edge switches (routers), {} pods, {} "
      "hosts on the edges' bridges",
      spec.k, cores.size(), aggs.size(), edges.size(), spec.k, edges.size() * h);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> defaultPrefixes(const std::string& type) {
  if (type == "star") {
    return {{"host", "h"}, {"switch", "sw"}};
  }
  if (type == "chain" || type == "ring" || type == "full-mesh") {
    return {{"router", "r"}};
  }
  if (type == "tree") {
    return {{"router", "r"}, {"host", "h"}};
  }
  if (type == "leaf-spine") {
    return {{"spine", "spine"}, {"leaf", "leaf"}, {"host", "h"}};
  }
  if (type == "fat-tree") {
    return {{"core", "core"}, {"agg", "agg"}, {"edge", "edge"}, {"host", "h"}};
  }
  return {};
}

LabGraph buildShape(const ShapeSpec& spec) {
  LabGraph graph;
  graph.type = spec.type;
  Builder builder(graph);
  if (spec.type == "star") {
    star(spec, graph, builder);
  } else if (spec.type == "chain" || spec.type == "ring") {
    chainOrRing(spec, graph, builder, spec.type == "ring");
  } else if (spec.type == "full-mesh") {
    fullMesh(spec, graph, builder);
  } else if (spec.type == "tree") {
    tree(spec, graph, builder);
  } else if (spec.type == "leaf-spine") {
    leafSpine(spec, graph, builder);
  } else if (spec.type == "fat-tree") {
    fatTree(spec, graph, builder);
  }
  graph.routes.resize(graph.nodes.size());
  return graph;
}

}  // namespace nstopo::generate
