// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <deque>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/plan/action.h"

namespace nstopo::plan {

/// Steps run phase by phase; inside a phase they are independent and sorted by name, so the same
/// input always gives the same plan and a driver may pipeline a whole phase.
enum class Phase {
  kReleasePrimaries,  ///< bonds whose primary member this plan deletes or renames: see planner
  kRenameLinks,       ///< every later step names links by their new names
  kDeleteRoutes,
  kDeleteAddresses,
  kOvsRemovals,  ///< OVS ports and bridges that go: one OVSDB transaction
  kDeleteLinks,
  kDeleteBridges,  ///< masters (Linux bridges, VRFs, bonds): after their ports that go
  kCreateNetns,
  kSysctls,
  kCreateBridges,
  kCreateLinks,
  kCreateStacked1,  ///< macvlan/ipvlan/vlan on an interface that already exists
  kCreateStacked2,  ///< ... on one created in kCreateStacked1
  kCreateStacked3,
  kReleasePorts,  ///< ports that leave a Linux bridge to become OVS ports: before OVS takes them
  kOvs,           ///< OVS bridges and ports that come or change: one OVSDB transaction
  kMoveLinks,     ///< OVS internal ports into their namespaces
  kChangeLinks,
  /// A bond's primary member: the kernel resolves it only among its enslaved members, so after
  /// they joined (kChangeLinks)
  kBondPrimaries,
  kAddAddresses,
  kAddDirectRoutes,
  kAddGatewayRoutes,
  /// Last: the links that go with a namespace are not deleted one by one, so a failure in any
  /// later phase could not rebuild them; after every other step, nothing can fail behind them.
  kDeleteNetns,
};

enum class Change { kCreate, kUpdate, kDelete };

struct Step {
  Phase phase = Phase::kCreateNetns;
  Change change = Change::kCreate;
  Action action;
  SourceLoc origin;  ///< the file place that asked for it, when there is one
};

/// A deque, not a vector: a plan of 10,000 namespaces holds about 30 MB of steps, and a vector
/// growing to that size holds its old and its new buffer at once (twice the plan at the peak).
using Steps = std::deque<Step>;

struct Plan {
  std::string lab;
  Steps steps;

  [[nodiscard]] bool empty() const { return steps.empty(); }

  [[nodiscard]] std::size_t count(Change change) const;
};

[[nodiscard]] const char* toString(Phase phase);
[[nodiscard]] char glyph(Change change);  ///< '+', '~', '-'

}  // namespace nstopo::plan
