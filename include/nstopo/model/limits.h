// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "nstopo/core/error.h"
#include "nstopo/model/topology.h"

namespace nstopo::model {

/// How much one file may ask for. A 1.6 MB file can name 124 000 namespaces, and each costs the
/// kernel about 212 KB: the defaults keep a file from asking for more than a few GB, and each has
/// a command-line flag for the lab that really needs more.
struct Limits {
  std::size_t namespaces = 20'000;  ///< --max-namespaces: nodes other than host
  std::size_t links = 50'000;       ///< --max-links: entries of `links`
  std::size_t addresses = 100'000;  ///< --max-addresses: on interfaces and bridges
  std::size_t routes = 100'000;     ///< --max-routes: in all nodes
  std::size_t probes = 1'000'000;   ///< --max-probes: what `verify` would run
};

/// How many probes `verify` runs for the file, counted without building one: every expectation,
/// and with all_pairs every address of every other node from each node but host. An expectation
/// that repeats an all-pairs probe is counted twice, so this is never less than the real number.
[[nodiscard]] std::uint64_t countProbes(const Topology& topology);

/// One located line for each count of the file above its limit, naming the count, the limit and
/// the flag that raises it. Empty when the file is within every limit. Cheap: it counts, and
/// builds nothing.
[[nodiscard]] Diagnostics sizeProblems(const Topology& topology, const Limits& limits);

}  // namespace nstopo::model
