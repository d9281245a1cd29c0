// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

namespace nstopo::netlink {

/// Owners for the libnl objects this driver allocates; each frees exactly once.
struct NlMsgFree {
  void operator()(nl_msg* msg) const { nlmsg_free(msg); }
};

struct NlAddrPut {
  void operator()(nl_addr* addr) const { nl_addr_put(addr); }
};

struct RtnlAddrPut {
  void operator()(rtnl_addr* addr) const { rtnl_addr_put(addr); }
};

struct RtnlRoutePut {
  void operator()(rtnl_route* route) const { rtnl_route_put(route); }
};

using NlMsgPtr = std::unique_ptr<nl_msg, NlMsgFree>;
using NlAddrPtr = std::unique_ptr<nl_addr, NlAddrPut>;
using RtnlAddrPtr = std::unique_ptr<rtnl_addr, RtnlAddrPut>;
using RtnlRoutePtr = std::unique_ptr<rtnl_route, RtnlRoutePut>;

}  // namespace nstopo::netlink
