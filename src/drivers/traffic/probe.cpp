// SPDX-License-Identifier: Apache-2.0
#include "nstopo/drivers/probe.h"

#include <arpa/inet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <random>

#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/process.h"
#include "nstopo/sys/socket_address.h"

namespace nstopo::traffic {
namespace {

using Clock = std::chrono::steady_clock;

std::uint16_t checksum(const std::uint8_t* data, std::size_t size) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < size; i += 2) {
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  }
  if (size % 2 == 1) {
    sum += static_cast<std::uint32_t>(data[size - 1] << 8);
  }
  while (sum >> 16) {
    sum = (sum & 0xffff) + (sum >> 16);
  }
  return htons(static_cast<std::uint16_t>(~sum));
}

ProbeOutcome probeTcp(const IpAddress& to, std::uint16_t port, std::chrono::milliseconds timeout) {
  UniqueFd fd(::socket(to.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) {
    return {false, 0, std::strerror(errno)};
  }
  socklen_t length = 0;
  const auto address = sys::socketAddress(to, port, length);
  const auto start = Clock::now();
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0 &&
      errno != EINPROGRESS) {
    return {false, 0, std::strerror(errno)};
  }
  pollfd waiter{fd.get(), POLLOUT, 0};
  if (::poll(&waiter, 1, static_cast<int>(timeout.count())) != 1) {
    return {false, 0, "timed out"};
  }
  int error = 0;
  socklen_t size = sizeof error;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &size);
  if (error != 0) {
    return {false, 0, std::strerror(error)};
  }
  return {true, std::chrono::duration<double, std::milli>(Clock::now() - start).count(), ""};
}

/// One echo request; true when the matching reply came from `to` in time.
bool echoOnce(int fd, const IpAddress& to, std::uint16_t id, std::uint16_t seq,
              std::chrono::milliseconds timeout) {
  const bool v6 = to.family == AF_INET6;
  std::uint8_t packet[64] = {};
  packet[0] = v6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
  packet[4] = static_cast<std::uint8_t>(id >> 8);
  packet[5] = static_cast<std::uint8_t>(id);
  packet[6] = static_cast<std::uint8_t>(seq >> 8);
  packet[7] = static_cast<std::uint8_t>(seq);
  if (!v6) {  // the kernel computes the ICMPv6 checksum itself
    const std::uint16_t sum = checksum(packet, sizeof packet);
    std::memcpy(packet + 2, &sum, 2);
  }
  socklen_t length = 0;
  const auto address = sys::socketAddress(to, 0, length);
  if (::sendto(fd, packet, sizeof packet, 0, reinterpret_cast<const sockaddr*>(&address), length) <
      0) {
    return false;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd waiter{fd, POLLIN, 0};
    if (::poll(&waiter, 1, static_cast<int>(left.count())) != 1) {
      return false;
    }
    std::uint8_t reply[1500];
    sockaddr_storage from{};
    socklen_t from_length = sizeof from;
    const ssize_t got =
        ::recvfrom(fd, reply, sizeof reply, 0, reinterpret_cast<sockaddr*>(&from), &from_length);
    if (got <= 0) {
      continue;
    }
    std::size_t offset = 0;
    if (!v6) {  // raw IPv4 sockets deliver the IP header too
      offset = static_cast<std::size_t>(reply[0] & 0x0f) * 4;
    }
    if (static_cast<std::size_t>(got) < offset + 8) {
      continue;
    }
    const std::uint8_t* icmp = reply + offset;
    const bool is_reply = v6 ? icmp[0] == ICMP6_ECHO_REPLY : icmp[0] == ICMP_ECHOREPLY;
    const auto reply_id = static_cast<std::uint16_t>(icmp[4] << 8 | icmp[5]);
    const auto reply_seq = static_cast<std::uint16_t>(icmp[6] << 8 | icmp[7]);
    const bool from_target =
        v6 ? std::memcmp(&reinterpret_cast<sockaddr_in6*>(&from)->sin6_addr, to.bytes.data(), 16) ==
                 0
           : std::memcmp(&reinterpret_cast<sockaddr_in*>(&from)->sin_addr, to.bytes.data(), 4) == 0;
    if (is_reply && reply_id == id && reply_seq == seq && from_target) {
      return true;
    }
  }
}

}  // namespace

ProbeOutcome probeFrom(int netns_fd, const IpAddress& to, std::uint16_t tcp_port, int count,
                       std::chrono::milliseconds timeout) {
  if (::setns(netns_fd, CLONE_NEWNET) != 0) {
    return {false, 0, std::string("entering the namespace: ") + std::strerror(errno)};
  }
  if (tcp_port != 0) {
    return probeTcp(to, tcp_port, timeout);
  }
  const bool v6 = to.family == AF_INET6;
  UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW | SOCK_CLOEXEC,
                       v6 ? static_cast<int>(IPPROTO_ICMPV6) : static_cast<int>(IPPROTO_ICMP)));
  if (!fd.valid()) {
    return {false, 0, std::string("ICMP socket: ") + std::strerror(errno)};
  }
  thread_local std::mt19937 random{std::random_device{}()};
  const auto id = static_cast<std::uint16_t>(random());
  for (int seq = 1; seq <= count; ++seq) {
    const auto start = Clock::now();
    if (echoOnce(fd.get(), to, id, static_cast<std::uint16_t>(seq), timeout)) {
      return {true, std::chrono::duration<double, std::milli>(Clock::now() - start).count(), ""};
    }
  }
  return {false, 0, "no echo reply"};
}

}  // namespace nstopo::traffic
