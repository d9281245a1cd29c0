// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "nstopo/core/cidr.h"
#include "nstopo/core/error.h"

namespace nstopo::traffic {

/// Request/response rates in the spirit of netperf's TCP_RR, TCP_CRR and UDP_RR: a server
/// thread inside the `to` namespace echoes one byte, a client thread inside `from` counts
/// completed transactions for `duration`. Bounded in time; every socket has a timeout.
enum class RrKind { kTcpRr, kTcpCrr, kUdpRr };

struct RrResult {
  double transactions_per_second = 0;
  std::uint64_t transactions = 0;
  std::uint64_t lost = 0;  ///< UDP_RR: requests without an answer within 100 ms
};

[[nodiscard]] Result<RrResult> requestResponse(RrKind kind, int from_netns_fd, int to_netns_fd,
                                               const IpAddress& to, std::uint16_t port,
                                               std::chrono::milliseconds duration);

/// TCP stream throughput with iperf3 (a server inside `to`, a client inside `from`, both
/// started with argument vectors and ended by pid). Bits per second.
[[nodiscard]] Result<double> iperf3Stream(int from_netns_fd, int to_netns_fd, const IpAddress& to,
                                          std::uint16_t port, std::chrono::seconds duration);

}  // namespace nstopo::traffic
