// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>

#include "nstopo/core/cidr.h"

namespace nstopo::sys {

/// The address and port as a socket address for connect/bind/sendto; `length` receives its size.
[[nodiscard]] sockaddr_storage socketAddress(const IpAddress& ip, std::uint16_t port,
                                             socklen_t& length);

}  // namespace nstopo::sys
