// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/model/topology.h"
#include "nstopo/state/state.h"

namespace nstopo::state {

/// The state a validated topology asks for, in the same shape as what the kernel reports.
[[nodiscard]] State desiredState(const model::Topology& topology);

/// The namespaces and sysctls a read must cover to compare against `desired`, plus the
/// namespaces the lab is already known to own (from its record).
[[nodiscard]] ReadScope scopeFor(const State& desired, const std::set<std::string>& owned_netns);

}  // namespace nstopo::state
