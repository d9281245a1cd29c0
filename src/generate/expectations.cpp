// SPDX-License-Identifier: Apache-2.0
// The `verify:` section of a generated file. Where every node reaches every address (static
// routes, or one LAN), a small lab checks all pairs, and every lab checks a ring over its end
// nodes (hosts, or the routers of a shape without hosts): one probe per end, so a lab of a
// thousand namespaces verifies in seconds. Without routes only neighbours reach each other, so
// the expectations are one probe across each link, both ways.
#include "nstopo/generate/lab_graph.h"

namespace nstopo::generate {
namespace {

/// The probe's target as the file writes it: `NODE` or `NODE:IF` (verify takes the first IPv4
/// address there, or the first IPv6 one in an IPv6-only lab), and in a dual-stack lab the same
/// place's IPv6 address as well.
void expect(VerifyPlan& plan, const LabGraph& graph, const std::string& from, const std::string& to,
            const std::optional<IpAddress>& v6) {
  plan.expect.emplace_back(from, to);
  if (graph.family == Family::kDual && v6) {
    plan.expect.emplace_back(from, v6->str());
  }
}

std::optional<IpAddress> firstV6(const LabGraph& graph, std::size_t node) {
  for (const auto& segment : graph.segments) {
    for (const auto& member : segment.members) {
      if (member.node == node && member.v6) {
        return member.v6;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

VerifyPlan planVerify(const LabGraph& graph) {
  VerifyPlan plan;
  const bool one_lan = graph.segments.size() == 1 && graph.segments.front().lan.has_value();
  if (graph.routing == Routing::kNone && !one_lan) {
    for (const auto& segment : graph.segments) {
      const auto& members = segment.members;
      const std::size_t n = members.size();
      // Each member probes the next one (a pair: both ways; a LAN: a ring).
      for (std::size_t i = 0; i < n; ++i) {
        const auto& to = members[(i + 1) % n];
        expect(plan, graph, graph.nodes[members[i].node].name,
               graph.nodes[to.node].name + ":" + to.ifname, to.v6);
      }
    }
    return plan;
  }
  plan.all_pairs = graph.nodes.size() <= kAllPairsMaxNodes;
  std::vector<std::size_t> ends;
  for (std::size_t n = 0; n < graph.nodes.size(); ++n) {
    if (graph.nodes[n].role == Role::kHost) {
      ends.push_back(n);
    }
  }
  if (ends.empty()) {
    for (std::size_t n = 0; n < graph.nodes.size(); ++n) {
      if (graph.nodes[n].role == Role::kRouter) {
        ends.push_back(n);
      }
    }
  }
  for (std::size_t i = 0; i < ends.size() && ends.size() > 1; ++i) {
    const auto to = ends[(i + 1) % ends.size()];
    expect(plan, graph, graph.nodes[ends[i]].name, graph.nodes[to].name, firstV6(graph, to));
  }
  return plan;
}

}  // namespace nstopo::generate
