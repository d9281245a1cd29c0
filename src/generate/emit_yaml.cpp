// SPDX-License-Identifier: Apache-2.0
// The topology file as text, in the layout of the shipped examples: one line per interface,
// route and link. Nodes, interfaces and links keep the graph's order (h1, h2, ..., h10, not the
// alphabet's), so a diff between two generated files shows what changed. IPv6 values are quoted:
// YAML 1.1 readers (PyYAML, the schema check) may read some plain ones otherwise.
#include <sys/socket.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "nstopo/generate/lab_graph.h"

namespace nstopo::generate {
namespace {

std::string value(const IpAddress& ip, bool with_prefix) {
  const auto text = with_prefix ? ip.cidr() : ip.str();
  return ip.family == AF_INET6 ? "\"" + text + "\"" : text;
}

std::string addressList(const Attachment& member) {
  std::vector<std::string> out;
  if (member.v4) {
    out.push_back(value(*member.v4, true));
  }
  if (member.v6) {
    out.push_back(value(*member.v6, true));
  }
  return fmt::format("[{}]", fmt::join(out, ", "));
}

/// A target of `verify` that is an address must be quoted when it is IPv6.
std::string target(const std::string& to) {
  return to.find(':') != std::string::npos && parseIp(to) ? "\"" + to + "\"" : to;
}

void emitNode(std::string& out, const LabGraph& graph, std::size_t n) {
  std::vector<const Attachment*> interfaces;
  for (const auto& segment : graph.segments) {
    for (const auto& member : segment.members) {
      if (member.node == n && !member.is_bridge) {
        interfaces.push_back(&member);
      }
    }
  }
  const auto& node = graph.nodes[n];
  const auto& routes = graph.routes[n];
  const bool router = node.role == Role::kRouter;
  if (interfaces.empty() && routes.empty() && !router) {
    out += fmt::format("  {}: {{}}\n", node.name);
    return;
  }
  out += fmt::format("  {}:\n", node.name);
  if (!interfaces.empty()) {
    out += "    interfaces:\n";
    for (const auto* member : interfaces) {
      out += fmt::format("      {}: {{addresses: {}}}\n", member->ifname, addressList(*member));
    }
  }
  if (!routes.empty()) {
    out += "    routes:\n";
    for (const auto& route : routes) {
      out += fmt::format("      - {{to: {}, via: {}}}\n",
                         route.to ? value(*route.to, true) : "default", value(route.via, false));
    }
  }
  if (router) {
    out += "    sysctls:\n";
    if (hasV4(graph.family)) {
      out += "      net.ipv4.ip_forward: 1\n";
    }
    if (hasV6(graph.family)) {
      out += "      net.ipv6.conf.all.forwarding: 1\n";
    }
  }
}

void emitBridges(std::string& out, const LabGraph& graph) {
  bool first = true;
  for (const auto& segment : graph.segments) {
    if (!segment.lan) {
      continue;
    }
    if (first) {
      out += "bridges:\n";
      first = false;
    }
    const auto& lan = *segment.lan;
    out += fmt::format("  {}:\n", lan.bridge);
    switch (lan.flavor) {
      case LanFlavor::kLinuxVeth:
        out += "    kind: linux\n";
        break;
      case LanFlavor::kOvsVeth:
      case LanFlavor::kOvsInternal:
        out += "    kind: ovs\n    datapath: auto\n    fail_mode: standalone\n";
        break;
    }
    if (lan.bridge_node) {
      out += fmt::format("    node: {}\n", graph.nodes[*lan.bridge_node].name);
    }
    for (const auto& member : segment.members) {
      if (member.is_bridge) {
        out += fmt::format("    addresses: {}\n", addressList(member));
      }
    }
  }
}

void emitLinks(std::string& out, const LabGraph& graph) {
  out += "links:\n";
  for (const auto& segment : graph.segments) {
    for (const auto& member : segment.members) {
      if (member.is_bridge) {
        continue;
      }
      const auto& end = graph.nodes[member.node].name + ":" + member.ifname;
      if (!segment.lan) {
        const auto& other = segment.members[&member == &segment.members.front() ? 1 : 0];
        if (&member == &segment.members.front()) {
          out += fmt::format("  - {{kind: veth, endpoints: [{}, {}:{}]}}\n", end,
                             graph.nodes[other.node].name, other.ifname);
        }
        continue;
      }
      switch (segment.lan->flavor) {
        case LanFlavor::kLinuxVeth:
        case LanFlavor::kOvsVeth:
          out += fmt::format("  - {{kind: veth, endpoints: [{}, {}:{}]}}\n", end,
                             segment.lan->bridge, member.port);
          break;
        case LanFlavor::kOvsInternal:
          out += fmt::format("  - {{kind: ovs-internal, bridge: {}, endpoint: {}}}\n",
                             segment.lan->bridge, end);
          break;
      }
    }
  }
}

void emitVerify(std::string& out, const LabGraph& graph) {
  const auto plan = planVerify(graph);
  out += "verify:\n";
  if (plan.all_pairs) {
    out += "  all_pairs: true\n";
  }
  if (!plan.expect.empty()) {
    out += "  expect:\n";
    for (const auto& [from, to] : plan.expect) {
      out += fmt::format("    - {{from: {}, to: {}}}\n", from, target(to));
    }
  }
}

}  // namespace

std::string emitYaml(const LabGraph& graph, const std::string& schema, const std::string& command) {
  std::string out;
  out += fmt::format("# yaml-language-server: $schema={}\n", schema);
  out += fmt::format("# Generated by `{}`:\n", command);
  out += fmt::format("# {}.\n", graph.summary);
  bool has_routes = false;
  for (const auto& routes : graph.routes) {
    has_routes = has_routes || !routes.empty();
  }
  out += fmt::format("# Addresses: {}. Routes: {}.\n",
                     graph.family == Family::kDual   ? "IPv4 and IPv6"
                     : graph.family == Family::kIpv4 ? "IPv4"
                                                     : "IPv6",
                     graph.routing == Routing::kNone
                         ? "none (add your own, or a routing daemon); routers forward"
                     : has_routes ? "static, along one shortest path to each subnet"
                                  : "none needed (one LAN)");
  out += "version: 1\n";
  out += fmt::format("name: {}\n", graph.name);
  out += "nodes:\n";
  for (std::size_t n = 0; n < graph.nodes.size(); ++n) {
    emitNode(out, graph, n);
  }
  emitBridges(out, graph);
  emitLinks(out, graph);
  emitVerify(out, graph);
  return out;
}

}  // namespace nstopo::generate
