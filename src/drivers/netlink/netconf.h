// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rtnl_socket.h"

namespace nstopo::netlink {

/// The values of those of `keys` (sysctl names such as "net.ipv4.ip_forward") that the kernel
/// also reports over netlink (RTM_GETNETCONF: forwarding and rp_filter of `all` and `default`),
/// read through `socket` in its namespace, as /proc/sys prints them. A key it does not cover,
/// or one the kernel did not answer (IPv6 off), is left out: /proc/sys gives its value or its
/// error. Why: opening a /proc/sys/net path compares "net" against the directory of every
/// namespace on the machine, under a spin lock, so with thousands of namespaces one open costs
/// more than reading the whole namespace over netlink (docs/performance.md).
[[nodiscard]] std::map<std::string, std::string> readNetconf(RtnlSocket& socket,
                                                             const std::vector<std::string>& keys);

}  // namespace nstopo::netlink
