// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <utility>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/plan/action.h"
#include "nstopo/state/state.h"

/// Interfaces the file renames, so the planner renames them in place instead of rebuilding them.
namespace nstopo::plan {

/// A rename and the place in the file of the interface's new name.
struct PlannedRename {
  RenameLink action;
  SourceLoc origin;
};

/// Finds the lab's links the file gives a new name and nothing else new: a veth end whose other
/// end keeps its name, or a macvlan, ipvlan or VLAN link that keeps its parent and settings,
/// when exactly one link of the machine fits. Rewrites `actual` as the machine will be once
/// they are renamed (the link, its peer's and uppers' references, the routes through it), so
/// the rest of the plan is made against that. OVS ports and internal ports are not renamed:
/// OVSDB knows them by name.
[[nodiscard]] std::vector<PlannedRename> renameInPlace(const state::State& desired,
                                                       state::State& actual);

/// Renames `from` to `to` in `state`, with every reference to it (a veth peer, a parent, a
/// mark's claim, the routes through it). Returns the links whose mark names it.
std::vector<state::IfRef> renameInState(state::State& state, const state::IfRef& from,
                                        const std::string& to);

}  // namespace nstopo::plan
