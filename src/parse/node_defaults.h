// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nstopo/model/topology.h"

/// The top-level `defaults:` section: what every lab node (never `host`) inherits unless it says
/// otherwise. The merge rules live here only, so `nstopo expand` writes out exactly what the
/// loader builds.
namespace nstopo::parse {

struct NodeDefaults {
  std::vector<model::Sysctl> sysctls;
  std::vector<model::Route> routes;
  // Interface settings; each is set only when `defaults.interfaces` names it.
  std::optional<std::uint32_t> mtu;
  std::optional<bool> up;
  std::optional<bool> promisc;
  /// Given to every interface that has no `impair:` of its own nor from its link.
  std::optional<model::Impairment> impair;
  SourceLoc impair_loc;
};

/// Whether a link of the file gives NODE:IFNAME its `impair:` (a link's impair goes to every end
/// it creates): such an interface does not take the default's, which it may not have twice.
[[nodiscard]] bool impairedByItsLink(const model::Topology& topology, const std::string& node_name,
                                     const std::string& ifname);

/// The interface setting keys a node wrote itself: node -> interface -> keys ("mtu", "up", ...).
using WrittenInterfaceKeys = std::map<std::string, std::map<std::string, std::set<std::string>>>;

/// The most routes and sysctls that `defaults:` may copy into the nodes, all together: above the
/// default limits of routes (100 000), far below what would exhaust memory.
inline constexpr std::size_t kMaxInheritedEntries = 1'000'000;

/// How many routes and sysctls `defaults:` would copy into the nodes of `topology` at most.
[[nodiscard]] std::size_t inheritedEntries(const NodeDefaults& defaults,
                                           const model::Topology& topology);

/// Whether the defaults change a node at all (the `host` node never inherits).
[[nodiscard]] bool inheritsDefaults(const std::string& node_name);

/// Two routes are for the same destination: the same prefix (or default of the same family) in
/// the same VRF (none for the main table).
[[nodiscard]] bool sameDestination(const model::Route& a, const model::Route& b);

/// The interfaces of a node that interface defaults apply to: those it lists under `interfaces:`
/// and those a link creates in it (an endpoint naming the node), without `lo` and without the
/// members of a bond (the bond owns their MTU and state). Sorted.
[[nodiscard]] std::set<std::string> interfacesTakingDefaults(const model::Topology& topology,
                                                             const std::string& node_name);

/// Merges the defaults into every node but `host`. Call after model::resolveEndpoints.
void applyNodeDefaults(const NodeDefaults& defaults, const WrittenInterfaceKeys& written,
                       model::Topology& topology);

}  // namespace nstopo::parse
