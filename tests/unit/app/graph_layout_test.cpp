// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/graph_layout.h"

#include <cmath>

#include <gtest/gtest.h>

namespace nstopo {
namespace {

double distance(const app::Point& a, const app::Point& b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

TEST(GraphLayout, LinkedVerticesEndNearTheEdgeLengthAndApart) {
  const auto at = app::forceLayout(3, {{0, 1}, {1, 2}});
  ASSERT_EQ(at.size(), 3u);
  EXPECT_GT(distance(at[0], at[1]), app::kEdgeLength * 0.5);
  EXPECT_LT(distance(at[0], at[1]), app::kEdgeLength * 2);
  EXPECT_GT(distance(at[0], at[2]), distance(at[0], at[1]));
}

TEST(GraphLayout, SameInputSamePlaces) {
  const std::vector<std::pair<std::size_t, std::size_t>> edges{{0, 1}, {0, 2}, {2, 3}, {9, 1}};
  const auto a = app::forceLayout(5, edges);
  const auto b = app::forceLayout(5, edges);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].x, b[i].x);
    EXPECT_EQ(a[i].y, b[i].y);
  }
}

TEST(GraphLayout, AFiveHundredLeafStarSpreadsWithoutOverlaps) {
  std::vector<std::pair<std::size_t, std::size_t>> edges;
  for (std::size_t i = 1; i <= 500; ++i) {
    edges.emplace_back(0, i);
  }
  const auto at = app::forceLayout(501, edges);
  double closest = 1e9;
  for (std::size_t i = 0; i < at.size(); ++i) {
    ASSERT_TRUE(std::isfinite(at[i].x) && std::isfinite(at[i].y));
    for (std::size_t j = i + 1; j < at.size(); ++j) {
      closest = std::min(closest, distance(at[i], at[j]));
    }
  }
  EXPECT_GT(closest, 5.0);
}

TEST(GraphLayout, NoVertexNoEdgeNoProblem) {
  EXPECT_TRUE(app::forceLayout(0, {}).empty());
  EXPECT_EQ(app::forceLayout(1, {{0, 0}}).size(), 1u);
}

}  // namespace
}  // namespace nstopo
