// SPDX-License-Identifier: Apache-2.0
#include "process.h"

#include <arpa/inet.h>

#include <cstring>

namespace nstopo::netlink {

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

std::vector<char*> execArguments(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  return args;
}

}  // namespace nstopo::netlink
