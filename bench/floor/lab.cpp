// SPDX-License-Identifier: Apache-2.0
#include "lab.h"

namespace floor_bench {

std::vector<std::string> Lab::nodes() const {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(n));
  for (int i = 1; i <= n; ++i) {
    names.push_back(node(i));
  }
  return names;
}

int Lab::bridgeCount() const {
  return kind == Kind::kStar ? (n + kPortsPerBridge - 1) / kPortsPerBridge : 0;
}

}  // namespace floor_bench
