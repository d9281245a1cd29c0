// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nstopo {

/// The closest of `candidates` to `word` when it is close enough to be a likely typo.
[[nodiscard]] std::optional<std::string> closestMatch(std::string_view word,
                                                      const std::vector<std::string>& candidates);

}  // namespace nstopo
