// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/graph_layout.h"

#include <algorithm>
#include <cmath>

namespace nstopo::app {
namespace {

/// The pull towards the centre, per unit of distance: it keeps parts that share no link (a
/// node whose only objects are a bridge's ports) near the rest instead of pushed far out.
constexpr double kGravity = 0.5;

/// Repulsion is computed between every pair: quadratic, but 600 vertices take a fraction of a
/// second at this many rounds, and fewer rounds suffice for a large lab (it starts spread out).
std::size_t roundsFor(std::size_t vertices) {
  return vertices <= 100 ? 400 : vertices <= 300 ? 250 : 150;
}

}  // namespace

std::vector<Point> forceLayout(std::size_t vertices,
                               const std::vector<std::pair<std::size_t, std::size_t>>& edges) {
  std::vector<Point> at(vertices);
  // A sunflower spiral: evenly spread, no two vertices on the same spot, same start every run.
  const double golden_angle = M_PI * (3 - std::sqrt(5.0));
  for (std::size_t i = 0; i < vertices; ++i) {
    const double radius = kEdgeLength * std::sqrt(static_cast<double>(i) + 0.5);
    at[i] = {radius * std::cos(golden_angle * static_cast<double>(i)),
             radius * std::sin(golden_angle * static_cast<double>(i))};
  }
  if (vertices < 2) {
    return at;
  }
  const double k = kEdgeLength;
  const std::size_t rounds = roundsFor(vertices);
  double temperature = k * std::sqrt(static_cast<double>(vertices));
  const double cooling = temperature / static_cast<double>(rounds);
  std::vector<Point> push(vertices);
  for (std::size_t round = 0; round < rounds; ++round) {
    std::fill(push.begin(), push.end(), Point{});
    for (std::size_t i = 0; i < vertices; ++i) {
      for (std::size_t j = i + 1; j < vertices; ++j) {
        const double dx = at[i].x - at[j].x;
        const double dy = at[i].y - at[j].y;
        const double distance2 = std::max(dx * dx + dy * dy, 1.0);
        const double force = k * k / distance2;  // k²/d, along the unit vector (dx, dy)/d
        push[i].x += dx * force;
        push[i].y += dy * force;
        push[j].x -= dx * force;
        push[j].y -= dy * force;
      }
    }
    for (const auto& [a, b] : edges) {
      if (a >= vertices || b >= vertices || a == b) {
        continue;
      }
      const double dx = at[a].x - at[b].x;
      const double dy = at[a].y - at[b].y;
      const double distance = std::max(std::sqrt(dx * dx + dy * dy), 1.0);
      const double force = distance / k;  // d²/k, along the unit vector
      push[a].x -= dx * force;
      push[a].y -= dy * force;
      push[b].x += dx * force;
      push[b].y += dy * force;
    }
    for (std::size_t i = 0; i < vertices; ++i) {
      push[i].x -= at[i].x * kGravity;
      push[i].y -= at[i].y * kGravity;
      const double length = std::sqrt(push[i].x * push[i].x + push[i].y * push[i].y);
      if (length > 0) {
        const double step = std::min(length, temperature);
        at[i].x += push[i].x / length * step;
        at[i].y += push[i].y / length * step;
      }
    }
    temperature = std::max(temperature - cooling, k * 0.02);
  }
  return at;
}

}  // namespace nstopo::app
