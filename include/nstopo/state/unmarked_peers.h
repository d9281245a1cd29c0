// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/state/state.h"

namespace nstopo::state {

/// Fills in `peer` of unmarked veths and `lower` of unmarked stacked links (macvlan, ipvlan,
/// vlan) from the interface indexes the reader keeps (ifindex, link_ifindex), across every
/// namespace of `state`. Marked links name their other end in the mark and the reader confirms
/// it; a hand-built setup has no marks, so `import` and `apply --adopt` match by index instead.
/// Indexes are per namespace: where the reader could tell the namespace an index is in
/// (LinkState::link_netns, from IFLA_LINK_NETNSID) only that namespace is searched, which makes
/// the match exact. Otherwise (a kernel that does not say) a match is taken only when it is the
/// only one: a veth whose index pair fits two candidates, or a stacked link whose parent index
/// fits two devices, stays without, and the caller says so.
void pairUnmarkedLinks(State& state);

}  // namespace nstopo::state
