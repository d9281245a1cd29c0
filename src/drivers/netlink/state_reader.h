// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/state/state.h"

#include "rtnl_socket.h"

namespace nstopo::netlink {

/// What one namespace's dumps say, before veth peers are matched across namespaces.
struct NetnsReading {
  state::NetnsState netns;
  std::map<int, std::string> names_by_index;
  /// By link name: the IFLA_LINK_NETNSID of a link whose IFLA_LINK is another namespace's
  /// index (a veth's other end, a stacked link's parent), for resolveLinkNetns
  std::map<std::string, int> link_nsids;
};

/// Reads links, addresses and nstopo's routes of one namespace with one dump each.
/// Routes are kept only when they carry nstopo's protocol (or, with `unmarked_routes`, any
/// protocol but the kernel's own, for `import`) and, in the host namespace, when their device
/// belongs to `lab`.
[[nodiscard]] Result<NetnsReading> readNetns(RtnlSocket& socket, const std::string& name,
                                             const std::string& lab, bool is_host,
                                             bool unmarked_routes);

/// Fills LinkState::peer for every marked veth end whose claimed peer answers back (each end's
/// IFLA_LINK names the other's ifindex). An unconfirmed claim leaves peer empty, which the
/// planner treats as "rebuild".
void matchVethPeers(state::State& state);

/// Fills LinkState::lower for marked macvlan/ipvlan/vlan links whose claimed parent's ifindex is
/// the link's IFLA_LINK.
void matchLowers(state::State& state);

}  // namespace nstopo::netlink
