// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/socket_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace nstopo::sys {

sockaddr_storage socketAddress(const IpAddress& ip, std::uint16_t port, socklen_t& length) {
  sockaddr_storage storage{};
  if (ip.family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    std::memcpy(&in6->sin6_addr, ip.bytes.data(), 16);
    length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    std::memcpy(&in4->sin_addr, ip.bytes.data(), 4);
    length = sizeof(sockaddr_in);
  }
  return storage;
}

}  // namespace nstopo::sys
