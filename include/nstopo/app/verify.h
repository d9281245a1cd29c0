// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/core/cidr.h"
#include "nstopo/model/topology.h"

namespace nstopo::app {

/// One probe: from a node to an address, with the outcome the file expects.
struct ProbeSpec {
  std::string from;
  std::string target;  ///< as the file names it: "ns2", "ns2:eth0" or an address
  IpAddress address;
  std::uint16_t tcp_port = 0;  ///< 0: ICMP echo
  bool expect_reachable = true;
  SourceLoc origin;
};

struct ProbeResult {
  ProbeSpec spec;
  bool reachable = false;
  double rtt_ms = 0;
  std::string detail;

  [[nodiscard]] bool ok() const { return reachable == spec.expect_reachable; }
};

/// Turns the file's `verify:` section into probes. A node target means its first address
/// (IPv4 first); `all_pairs` adds every address of every other node, expected reachable unless
/// an explicit expectation says otherwise.
[[nodiscard]] std::vector<ProbeSpec> probesFor(const model::Topology& topology);

/// The address a target names: an address as is, else the first of a node (or NODE:IFNAME),
/// IPv4 first.
[[nodiscard]] std::optional<IpAddress> addressOfTarget(const model::Topology& topology,
                                                       const std::string& target);

/// The node (or `host`) that the file gives `address` to, if any.
[[nodiscard]] std::optional<std::string> nodeWithAddress(const model::Topology& topology,
                                                         const IpAddress& address);

/// Probes in batches: after each batch but the last, `between` runs (verify empties the lab's
/// neighbour caches there, so that a large lab never fills the machine's neighbour table).
struct ProbeBatches {
  std::size_t size = 0;  ///< probes per batch; 0: one batch of all
  std::function<void()> between;
};

/// How many probes may run between two flushes of the lab's neighbour caches when the machine's
/// neighbour table holds `table_limit` entries: a routed probe leaves up to four entries (source
/// and target for their gateways, each gateway for its host), and a batch stays within half the
/// table, for what the lab's own traffic holds.
[[nodiscard]] std::size_t probeBatchSize(std::size_t table_limit);

/// Runs the probes on up to `parallel` threads, batch after batch; `probe` does one (from inside
/// its namespace). A probe expected to reach its target that fails among the parallel ones runs
/// again alone once every batch is done.
[[nodiscard]] std::vector<ProbeResult> runProbes(
    const std::vector<ProbeSpec>& probes, const std::function<ProbeResult(const ProbeSpec&)>& probe,
    std::size_t parallel, const ProbeBatches& batches = {});

}  // namespace nstopo::app
