// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/graph.h"

#include <map>
#include <vector>

#include <fmt/format.h>

namespace nstopo::app {
namespace {

/// One drawable edge: two owners (nodes or bridges) and the labels at each end.
struct Edge {
  std::string a;
  std::string b;
  std::string label;
};

std::string interfaceLabel(const model::Topology& topology, const std::string& netns,
                           const std::string& ifname) {
  std::string label = ifname;
  const auto node = topology.nodes.find(netns);
  if (node != topology.nodes.end()) {
    const auto settings = node->second.interfaces.find(ifname);
    if (settings != node->second.interfaces.end()) {
      for (const auto& address : settings->second.addresses) {
        label += " " + address.ip.cidr();
      }
      // What the interface does to what it sends: a slow or lossy link is part of the picture.
      if (settings->second.impair) {
        label += " (" + model::impairmentText(*settings->second.impair) + ")";
      }
    }
  }
  return label;
}

std::vector<Edge> edgesOf(const model::Topology& topology) {
  std::vector<Edge> edges;
  for (const auto& link : topology.links) {
    switch (model::shapeOf(link.kind)) {
      case model::LinkShape::kPair:
        if (link.endpoints.size() == 2) {
          const auto& a = link.endpoints[0];
          const auto& b = link.endpoints[1];
          edges.push_back(
              {a.owner, b.owner,
               fmt::format("{} -- {}{}",
                           interfaceLabel(topology, model::endpointNetns(topology, a), a.ifname),
                           interfaceLabel(topology, model::endpointNetns(topology, b), b.ifname),
                           link.impair ? "\n" + model::impairmentText(*link.impair) : "")});
        }
        break;
      case model::LinkShape::kStacked:
        if (link.parent && link.endpoints.size() == 1) {
          const auto& e = link.endpoints[0];
          edges.push_back(
              {link.parent->owner, e.owner,
               fmt::format("{} {} on {} ({})", model::toString(link.kind),
                           interfaceLabel(topology, e.owner, e.ifname), link.parent->ifname,
                           model::optionsText(link.options, true))});
        }
        break;
      case model::LinkShape::kStandalone:
        break;  // a device of its node alone: no edge (its node shows it)
      case model::LinkShape::kOvsPort:
        if (link.endpoints.size() == 1) {
          const auto& e = link.endpoints[0];
          edges.push_back(
              {link.ovs_bridge, e.owner,
               fmt::format("internal {}",
                           interfaceLabel(topology, model::endpointNetns(topology, e), e.ifname))});
        }
        break;
      case model::LinkShape::kBridge:
      case model::LinkShape::kForeign:
        break;
    }
  }
  return edges;
}

/// A node's label: its name, then one line for each standalone interface the file creates in it
/// (such a device has no other end, so no edge shows it).
std::string ownerLabel(const model::Topology& topology, const std::string& owner) {
  std::string label = owner;
  for (const auto& link : topology.links) {
    if (model::shapeOf(link.kind) == model::LinkShape::kStandalone && link.endpoints.size() == 1 &&
        link.endpoints[0].owner == owner) {
      label += fmt::format("\n{} {}", model::toString(link.kind),
                           interfaceLabel(topology, owner, link.endpoints[0].ifname));
    }
  }
  return label;
}

std::string dotQuote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";  // dot's own line break
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "\"";
}

std::string mermaidText(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "<br/>";  // mermaid's line break in a label
      continue;
    }
    out += c == '"' ? '\'' : c;  // mermaid labels cannot escape a double quote
  }
  return out;
}

/// Every owner an edge mentions, in a stable order: nodes, then bridges, then the host.
std::vector<std::string> ownersOf(const model::Topology& topology, const std::vector<Edge>& edges) {
  std::vector<std::string> owners;
  auto add = [&](const std::string& owner) {
    if (std::find(owners.begin(), owners.end(), owner) == owners.end()) {
      owners.push_back(owner);
    }
  };
  for (const auto& [name, node] : topology.nodes) {
    add(name);
  }
  for (const auto& [name, bridge] : topology.bridges) {
    add(name);
  }
  for (const auto& edge : edges) {
    add(edge.a);
    add(edge.b);
  }
  return owners;
}

}  // namespace

std::string toDot(const model::Topology& topology) {
  const auto edges = edgesOf(topology);
  std::string out = fmt::format("graph {} {{\n  rankdir=LR;\n  node [fontname=\"monospace\"];\n",
                                dotQuote(topology.name));
  for (const auto& owner : ownersOf(topology, edges)) {
    const auto bridge = topology.bridges.find(owner);
    if (bridge != topology.bridges.end()) {
      std::string label =
          fmt::format("{} ({} bridge{})", owner, model::toString(bridge->second.kind),
                      bridge->second.node == model::kHostNode ? "" : " in " + bridge->second.node);
      for (const auto& address : bridge->second.settings.addresses) {
        label += "\n" + address.ip.cidr();
      }
      out += fmt::format("  {} [shape=ellipse, label={}];\n", dotQuote(owner), dotQuote(label));
    } else {
      out += fmt::format("  {} [shape=box, label={}];\n", dotQuote(owner),
                         dotQuote(ownerLabel(topology, owner)));
    }
  }
  for (const auto& edge : edges) {
    out += fmt::format("  {} -- {} [label={}];\n", dotQuote(edge.a), dotQuote(edge.b),
                       dotQuote(edge.label));
  }
  return out + "}\n";
}

std::string toMermaid(const model::Topology& topology) {
  const auto edges = edgesOf(topology);
  const auto owners = ownersOf(topology, edges);
  std::map<std::string, std::string> ids;
  for (std::size_t i = 0; i < owners.size(); ++i) {
    ids[owners[i]] = fmt::format("n{}", i);
  }
  std::string out = "flowchart LR\n";
  for (const auto& owner : owners) {
    if (topology.bridges.count(owner) > 0) {
      out += fmt::format("  {}([\"{}\"])\n", ids[owner], mermaidText(owner));
    } else {
      out += fmt::format("  {}[\"{}\"]\n", ids[owner], mermaidText(ownerLabel(topology, owner)));
    }
  }
  for (const auto& edge : edges) {
    out += fmt::format("  {} ---|\"{}\"| {}\n", ids[edge.a], mermaidText(edge.label), ids[edge.b]);
  }
  return out;
}

}  // namespace nstopo::app
