// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"
#include "nstopo/plan/plan.h"
#include "nstopo/state/state.h"

namespace nstopo::plan {

struct PlanResult {
  Plan plan;
  Diagnostics conflicts;  ///< objects the file names that exist but the lab does not own
};

/// Diffs desired against actual for lab `desired.lab`. Only objects carrying the lab's mark are
/// changed or deleted; anything else the file names is reported in `conflicts` and the plan must
/// not be applied. Steps come out phase-ordered and sorted, so equal inputs give equal plans.
[[nodiscard]] PlanResult makePlan(const state::State& desired, const state::State& actual);

}  // namespace nstopo::plan
