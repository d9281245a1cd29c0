// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/cidr.h"
#include "nstopo/core/error.h"
#include "nstopo/state/state.h"

#include "nl_ptr.h"

namespace nstopo::netlink {

/// RTM_NEWADDR / RTM_DELADDR for `address` on `ifindex`, built with libnl-route. IPv6 addresses
/// skip duplicate address detection so they are usable at once.
[[nodiscard]] Result<NlMsgPtr> addressRequest(bool add, int ifindex, const IpAddress& address);

/// RTM_NEWROUTE / RTM_DELROUTE in the main table, tagged with nstopo's routing protocol.
/// `oif` is 0 when the kernel should find the device from the gateway.
[[nodiscard]] Result<NlMsgPtr> routeRequest(bool add, const state::RouteState& route, int oif);

}  // namespace nstopo::netlink
