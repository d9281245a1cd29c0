// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "nstopo/core/cidr.h"

namespace nstopo::netlink {

/// The address and port as a socket address for connect/bind/sendto; `length` receives its size.
[[nodiscard]] sockaddr_storage socketAddress(const IpAddress& ip, std::uint16_t port,
                                             socklen_t& length);

/// execvp's argument array for `argv` (pointers into it; it must outlive the call).
[[nodiscard]] std::vector<char*> execArguments(const std::vector<std::string>& argv);

}  // namespace nstopo::netlink
