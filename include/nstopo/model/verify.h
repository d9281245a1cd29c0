// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/error.h"

namespace nstopo::model {

/// One reachability expectation of the topology file's `verify:` section.
struct Expectation {
  enum class Protocol { kIcmp, kTcp };
  std::string from;  ///< node that sends the probe
  std::string to;    ///< node, node:ifname or an address
  bool reachable = true;
  Protocol protocol = Protocol::kIcmp;
  std::optional<std::uint16_t> port;  ///< tcp only
  SourceLoc loc;
};

struct VerifySpec {
  std::vector<Expectation> expectations;
  bool all_pairs = false;  ///< also probe every address from every node
  SourceLoc loc;
};

}  // namespace nstopo::model
