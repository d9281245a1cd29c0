// SPDX-License-Identifier: Apache-2.0
#include "addr_route_messages.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <fmt/format.h>
#include <netlink/errno.h>

#include "nstopo/state/ownership.h"

namespace nstopo::netlink {
namespace {

NlAddrPtr toNlAddr(const IpAddress& ip, int prefix_len) {
  const unsigned int size = ip.family == AF_INET6 ? 16U : 4U;
  NlAddrPtr addr(nl_addr_build(ip.family, ip.bytes.data(), size));
  if (addr) {
    nl_addr_set_prefixlen(addr.get(), prefix_len);
  }
  return addr;
}

tl::unexpected<Error> buildError(const std::string& what, int nl_error) {
  return fail(ErrorKind::kBug, fmt::format("building {}: {}", what, nl_geterror(nl_error)));
}

}  // namespace

Result<NlMsgPtr> addressRequest(bool add, int ifindex, const IpAddress& address) {
  RtnlAddrPtr addr(rtnl_addr_alloc());
  NlAddrPtr local = toNlAddr(address, address.prefix_len);
  if (!addr || !local) {
    return fail(ErrorKind::kBug, "out of memory building an address request");
  }
  rtnl_addr_set_ifindex(addr.get(), ifindex);
  rtnl_addr_set_family(addr.get(), address.family);
  if (const int err = rtnl_addr_set_local(addr.get(), local.get()); err < 0) {
    return buildError("an address request", err);
  }
  if (address.family == AF_INET6) {
    rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
  }
  nl_msg* raw = nullptr;
  const int err = add ? rtnl_addr_build_add_request(addr.get(), NLM_F_CREATE | NLM_F_EXCL, &raw)
                      : rtnl_addr_build_delete_request(addr.get(), 0, &raw);
  if (err < 0) {
    return buildError("an address request", err);
  }
  return NlMsgPtr(raw);
}

Result<NlMsgPtr> routeRequest(RouteOp op, const state::RouteState& route, int oif) {
  RtnlRoutePtr r(rtnl_route_alloc());
  NlAddrPtr dst = toNlAddr(route.to, route.is_default ? 0 : route.to.prefix_len);
  if (!r || !dst) {
    return fail(ErrorKind::kBug, "out of memory building a route request");
  }
  rtnl_route_set_family(r.get(), static_cast<std::uint8_t>(route.family));
  if (const int err = rtnl_route_set_dst(r.get(), dst.get()); err < 0) {
    return buildError("a route request", err);
  }
  rtnl_route_set_table(r.get(), route.table);
  rtnl_route_set_protocol(r.get(), route.protocol);
  rtnl_route_set_priority(r.get(), route.metric);
  rtnl_route_set_type(r.get(), RTN_UNICAST);
  rtnl_nexthop* hop = rtnl_route_nh_alloc();
  if (hop == nullptr) {
    return fail(ErrorKind::kBug, "out of memory building a route request");
  }
  if (route.via) {
    NlAddrPtr gateway = toNlAddr(*route.via, route.via->maxPrefix());
    rtnl_route_nh_set_gateway(hop, gateway.get());
  }
  if (oif > 0) {
    rtnl_route_nh_set_ifindex(hop, oif);
  }
  rtnl_route_add_nexthop(r.get(), hop);  // the route owns the hop from here on
  // IPv4 device routes are link-scoped like `ip route add P dev D`; IPv6 has only universe.
  const bool link_scope = !route.via && route.family == AF_INET;
  rtnl_route_set_scope(r.get(), link_scope ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
  nl_msg* raw = nullptr;
  int err = 0;
  switch (op) {
    case RouteOp::kAdd:
      err = rtnl_route_build_add_request(r.get(), NLM_F_CREATE | NLM_F_EXCL, &raw);
      break;
    case RouteOp::kReplace:
      // Without NLM_F_CREATE: the route must be there (ENOENT otherwise). The kernel finds it
      // by table, destination, TOS and metric and swaps it for this one in place.
      err = rtnl_route_build_add_request(r.get(), NLM_F_REPLACE, &raw);
      break;
    case RouteOp::kDelete:
      err = rtnl_route_build_del_request(r.get(), 0, &raw);
      break;
  }
  if (err < 0) {
    return buildError("a route request", err);
  }
  return NlMsgPtr(raw);
}

}  // namespace nstopo::netlink
