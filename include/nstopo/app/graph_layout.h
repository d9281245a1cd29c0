// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

/// Positions for the HTML view's vertices, computed here rather than in the page: the same file
/// always gives the same picture, a 500-node lab costs the browser nothing, and the page needs no
/// layout library (docs/architecture.md, "The HTML view").
namespace nstopo::app {

struct Point {
  double x = 0;
  double y = 0;
};

/// The distance the layout aims for between two linked vertices, in page units (pixels at zoom 1).
inline constexpr double kEdgeLength = 150;

/// A force-directed layout (Fruchterman-Reingold with a pull towards the centre, so parts that
/// share no link stay close): vertices repel, links pull. Deterministic: vertices start on a
/// spiral in index order. `edges` are pairs of vertex indexes; out-of-range ones are ignored.
[[nodiscard]] std::vector<Point> forceLayout(
    std::size_t vertices, const std::vector<std::pair<std::size_t, std::size_t>>& edges);

}  // namespace nstopo::app
