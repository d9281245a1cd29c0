// SPDX-License-Identifier: Apache-2.0
// Static routes along shortest paths. Each router runs a breadth-first search over the routers
// (hosts never carry transit traffic) and routes every subnet it is not on through the first hop
// of the path to the nearest router on that subnet. Where several paths are equally short (a
// ring, leaf-spine, fat tree), one next hop is taken, the same on every run: the kernel could
// spread over all of them (ECMP) but one is enough for reachability.
#include <algorithm>
#include <deque>
#include <limits>

#include "nstopo/generate/lab_graph.h"

namespace nstopo::generate {
namespace {

/// A router's way to a neighbouring router: over which segment, and the neighbour's member.
struct Hop {
  std::size_t neighbour = 0;
  std::size_t segment = 0;
  std::size_t member = 0;
};

struct Attached {
  std::size_t segment = 0;
  std::size_t member = 0;
};

void addVia(std::vector<StaticRoute>& routes, const Segment& target, const Attachment& next_hop) {
  if (target.prefix4 && next_hop.v4) {
    auto via = *next_hop.v4;
    via.prefix_len = -1;
    routes.push_back(StaticRoute{target.prefix4, via});
  }
  if (target.prefix6 && next_hop.v6) {
    auto via = *next_hop.v6;
    via.prefix_len = -1;
    routes.push_back(StaticRoute{target.prefix6, via});
  }
}

void routersRoutes(LabGraph& graph, const std::vector<std::vector<Attached>>& attached) {
  const auto count = graph.nodes.size();
  const auto is_router = [&](std::size_t n) { return graph.nodes[n].role == Role::kRouter; };
  std::vector<std::vector<Hop>> hops(count);
  for (std::size_t n = 0; n < count; ++n) {
    if (!is_router(n)) {
      continue;
    }
    for (const auto& [segment, self] : attached[n]) {
      const auto& members = graph.segments[segment].members;
      for (std::size_t m = 0; m < members.size(); ++m) {
        if (m != self && is_router(members[m].node)) {
          hops[n].push_back(Hop{members[m].node, segment, m});
        }
      }
    }
  }
  constexpr auto kUnreached = std::numeric_limits<std::size_t>::max();
  for (std::size_t source = 0; source < count; ++source) {
    if (!is_router(source)) {
      continue;
    }
    std::vector<std::size_t> distance(count, kUnreached);
    std::vector<Hop> first(count);
    std::deque<std::size_t> queue{source};
    distance[source] = 0;
    while (!queue.empty()) {
      const auto at = queue.front();
      queue.pop_front();
      for (const auto& hop : hops[at]) {
        if (distance[hop.neighbour] == kUnreached) {
          distance[hop.neighbour] = distance[at] + 1;
          first[hop.neighbour] = at == source ? hop : first[at];
          queue.push_back(hop.neighbour);
        }
      }
    }
    auto& routes = graph.routes[source];
    for (std::size_t s = 0; s < graph.segments.size(); ++s) {
      const auto& segment = graph.segments[s];
      std::size_t best = kUnreached;
      for (const auto& member : segment.members) {
        if (is_router(member.node) && distance[member.node] != kUnreached &&
            (best == kUnreached || distance[member.node] < distance[best])) {
          best = member.node;
        }
      }
      if (best == kUnreached || best == source) {
        continue;  // no router to reach it through, or on it already
      }
      const auto& hop = first[best];
      addVia(routes, segment, graph.segments[hop.segment].members[hop.member]);
    }
  }
}

/// A host on one segment with a router gets its default route through that router.
void hostDefaults(LabGraph& graph, const std::vector<std::vector<Attached>>& attached) {
  for (std::size_t n = 0; n < graph.nodes.size(); ++n) {
    if (graph.nodes[n].role != Role::kHost || attached[n].size() != 1) {
      continue;
    }
    for (const auto& member : graph.segments[attached[n].front().segment].members) {
      if (graph.nodes[member.node].role == Role::kRouter) {
        if (member.v4) {
          graph.routes[n].push_back(StaticRoute{std::nullopt, *member.v4});
          graph.routes[n].back().via.prefix_len = -1;
        }
        if (member.v6) {
          graph.routes[n].push_back(StaticRoute{std::nullopt, *member.v6});
          graph.routes[n].back().via.prefix_len = -1;
        }
        break;
      }
    }
  }
}

}  // namespace

void computeRoutes(LabGraph& graph) {
  graph.routes.assign(graph.nodes.size(), {});
  if (graph.routing == Routing::kNone) {
    return;
  }
  std::vector<std::vector<Attached>> attached(graph.nodes.size());
  for (std::size_t s = 0; s < graph.segments.size(); ++s) {
    const auto& members = graph.segments[s].members;
    for (std::size_t m = 0; m < members.size(); ++m) {
      attached[members[m].node].push_back(Attached{s, m});
    }
  }
  routersRoutes(graph, attached);
  hostDefaults(graph, attached);
  // Defaults first, then IPv4 before IPv6, each in address order: easy to read and to diff.
  for (auto& routes : graph.routes) {
    std::stable_sort(routes.begin(), routes.end(), [](const StaticRoute& a, const StaticRoute& b) {
      if (a.to.has_value() != b.to.has_value()) {
        return !a.to.has_value();
      }
      if (!a.to) {
        return a.via.family < b.via.family;
      }
      return *a.to < *b.to;
    });
  }
}

}  // namespace nstopo::generate
