// SPDX-License-Identifier: Apache-2.0
// The size caps of a topology file (issue 22, finding 3): counted before anything is built.
#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "nstopo/model/limits.h"

namespace nstopo::model {
namespace {

/// Line and column of an object; the file is the same for all of them.
using Position = std::pair<int, int>;

/// The place of the first object over the limit in file order, or the top of the file when the
/// objects carry no place. `positions` holds one position per object.
SourceLoc firstOver(std::vector<Position> positions, std::size_t limit, const std::string& file) {
  if (positions.size() <= limit) {
    return SourceLoc{file, 1, 1};
  }
  std::nth_element(positions.begin(), positions.begin() + static_cast<std::ptrdiff_t>(limit),
                   positions.end());
  const auto [line, column] = positions[limit];
  return line > 0 ? SourceLoc{file, line, column} : SourceLoc{file, 1, 1};
}

Position positionOf(const SourceLoc& loc) {
  return {loc.line, loc.column};
}

void checkCount(Diagnostics& problems, const SourceLoc& where, std::uint64_t count,
                std::size_t limit, const char* what, const char* flag, const char* why) {
  if (count <= limit) {
    return;
  }
  problems.push_back(Error{ErrorKind::kInvalidTopology,
                           fmt::format("the file asks for {} {}, more than the limit of {}{}; "
                                       "raise it with {} if this lab really needs them",
                                       count, what, limit, why, flag),
                           where, 0});
}

}  // namespace

std::uint64_t countProbes(const Topology& topology) {
  // Addresses per node, as app::probesFor finds them: the node's interfaces and the bridges that
  // live in it.
  std::map<std::string, std::uint64_t> addresses_of;
  for (const auto& [name, node] : topology.nodes) {
    auto& count = addresses_of[name];
    for (const auto& [ifname, settings] : node.interfaces) {
      count += settings.addresses.size();
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    if (const auto it = addresses_of.find(bridge.node); it != addresses_of.end()) {
      it->second += bridge.settings.addresses.size();
    }
  }
  std::uint64_t total_addresses = 0;
  for (const auto& [name, count] : addresses_of) {
    total_addresses += count;
  }
  std::uint64_t probes = topology.verify.expectations.size();
  if (topology.verify.all_pairs) {
    for (const auto& [name, count] : addresses_of) {
      if (name != kHostNode) {
        probes += total_addresses - count;  // every address of every other node
      }
    }
  }
  return probes;
}

Diagnostics sizeProblems(const Topology& topology, const Limits& limits) {
  Diagnostics problems;
  const std::string& file = topology.file;

  std::vector<Position> namespaces;
  std::vector<Position> addresses;
  std::vector<Position> routes;
  for (const auto& [name, node] : topology.nodes) {
    if (name != kHostNode) {
      namespaces.push_back(positionOf(node.loc));
    }
    for (const auto& [ifname, settings] : node.interfaces) {
      for (const auto& address : settings.addresses) {
        addresses.push_back(positionOf(address.loc));
      }
    }
    for (const auto& route : node.routes) {
      routes.push_back(positionOf(route.loc));
    }
  }
  for (const auto& [name, bridge] : topology.bridges) {
    for (const auto& address : bridge.settings.addresses) {
      addresses.push_back(positionOf(address.loc));
    }
  }
  checkCount(problems, firstOver(namespaces, limits.namespaces, file), namespaces.size(),
             limits.namespaces, "namespaces", "--max-namespaces",
             " (each costs the kernel about 200 KB)");
  const std::size_t links = topology.links.size();
  checkCount(problems,
             links > limits.links ? topology.links[limits.links].loc : SourceLoc{file, 1, 1}, links,
             limits.links, "links", "--max-links", "");
  checkCount(problems, firstOver(addresses, limits.addresses, file), addresses.size(),
             limits.addresses, "addresses", "--max-addresses", "");
  checkCount(problems, firstOver(routes, limits.routes, file), routes.size(), limits.routes,
             "routes", "--max-routes", "");
  const std::uint64_t probes = countProbes(topology);
  const auto& expectations = topology.verify.expectations;
  const SourceLoc probes_at =
      topology.verify.all_pairs && topology.verify.loc.known() ? topology.verify.loc
      : expectations.size() > limits.probes                    ? expectations[limits.probes].loc
                                                               : SourceLoc{file, 1, 1};
  checkCount(problems, probes_at, probes, limits.probes, "verify probes", "--max-probes",
             topology.verify.all_pairs ? " (all_pairs probes every address from every node)" : "");
  return problems;
}

}  // namespace nstopo::model
