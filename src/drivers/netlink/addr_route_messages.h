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

enum class RouteOp {
  kAdd,      ///< RTM_NEWROUTE, failing when the route exists
  kReplace,  ///< RTM_NEWROUTE with NLM_F_REPLACE of an existing route (its protocol changes)
  kDelete,   ///< RTM_DELROUTE (the kernel deletes it only when its protocol is route.protocol)
};

/// RTM_NEWROUTE / RTM_DELROUTE in the route's table, tagged with its protocol (nstopo's,
/// except when a rollback gives an adopted route back the one it had).
/// `oif` is 0 when the kernel should find the device from the gateway.
[[nodiscard]] Result<NlMsgPtr> routeRequest(RouteOp op, const state::RouteState& route, int oif);

}  // namespace nstopo::netlink
