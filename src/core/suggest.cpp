// SPDX-License-Identifier: Apache-2.0
#include "nstopo/core/suggest.h"

#include <algorithm>
#include <numeric>

namespace nstopo {
namespace {

/// Levenshtein distance, or `limit` as soon as every path is at least that far (most candidates
/// are, and a hint must stay cheap when a name is compared with thousands).
std::size_t editDistance(std::string_view a, std::string_view b, std::size_t limit) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t row_min = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      row_min = std::min(row_min, row[j]);
      diagonal = above;
    }
    if (row_min >= limit) {
      return limit;
    }
  }
  return std::min(row[b.size()], limit);
}

}  // namespace

std::optional<std::string> closestMatch(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  // Allow about one typo per three letters, and at least one: "adresses" -> "addresses", but
  // nothing for "id" (any short word is two edits from any other).
  std::size_t best_distance = std::max<std::size_t>(1, word.size() / 3) + 1;
  for (const auto& candidate : candidates) {
    // The word itself is no hint ("'br0' is not a node (did you mean 'br0'?)"), and the length
    // difference alone rules most candidates out before the quadratic distance.
    const std::size_t length_gap = candidate.size() > word.size() ? candidate.size() - word.size()
                                                                  : word.size() - candidate.size();
    if (candidate == word || length_gap >= best_distance) {
      continue;
    }
    const std::size_t distance = editDistance(word, candidate, best_distance);
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best;
}

}  // namespace nstopo
