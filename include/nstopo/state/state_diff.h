// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/state/state.h"

namespace nstopo::state {

/// Every way two reads of the machine differ, one line each ("~ ns1:veth0 mtu 1500 -> 1400",
/// "- netns n5", "+ route ns1: default via 10.0.0.1 dev e0 metric 0"), in a stable order; empty
/// when they are the same object for object. Compares what nstopo manages and reads back:
/// namespaces, links (kind, peer, parent, master, MTU, state, addresses, owner, and the MAC of
/// marked devices that are not bridges), loopbacks,
/// routes, the sysctls read, and Open vSwitch bridges and ports. Kernel-chosen identities
/// (ifindexes) are left out, so a rollback that rebuilt an object compares equal.
[[nodiscard]] std::vector<std::string> differences(const State& before, const State& after);

}  // namespace nstopo::state
