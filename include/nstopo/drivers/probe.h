// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "nstopo/core/cidr.h"

namespace nstopo::traffic {

struct ProbeOutcome {
  bool reachable = false;
  double rtt_ms = 0;
  std::string detail;  ///< why not, when not reachable
};

/// Sends up to `count` ICMP echo requests (or one TCP connect when `tcp_port` is non-zero) to
/// `to` from inside the namespace `netns_fd` refers to. Runs on the calling thread, which it
/// moves into that namespace: call it from a worker thread. Every wait is bounded by `timeout`.
[[nodiscard]] ProbeOutcome probeFrom(int netns_fd, const IpAddress& to, std::uint16_t tcp_port,
                                     int count, std::chrono::milliseconds timeout);

}  // namespace nstopo::traffic
