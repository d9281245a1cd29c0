// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <utility>

#include "nstopo/core/cidr.h"

#include "nl_ptr.h"

/// The FDB entries of a vxlan's head-end replication: all-zero MAC, one destination per peer
/// (what `bridge fdb append 00:00:00:00:00:00 dev vx0 dst PEER` makes).
namespace nstopo::netlink {

/// RTM_NEWNEIGH (appended beside the device's other all-zero entries) or RTM_DELNEIGH (that one
/// destination only) for `peer` on the vxlan `ifindex`.
[[nodiscard]] NlMsgPtr vxlanPeerRequest(bool add, int ifindex, const IpAddress& peer);

/// From one message of an AF_BRIDGE RTM_GETNEIGH dump: the device's ifindex and the destination
/// when it is an all-zero entry with a destination, nothing otherwise (learned MACs, bridge
/// entries).
[[nodiscard]] std::optional<std::pair<int, IpAddress>> parseVxlanPeer(const nlmsghdr& header);

}  // namespace nstopo::netlink
