// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/verify.h"

#include <sys/socket.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "nstopo/model/node_addresses.h"

namespace nstopo::app {
namespace {

std::optional<IpAddress> firstAddress(const std::vector<IpAddress>& addresses) {
  for (const auto& address : addresses) {
    if (address.family == AF_INET) {
      return address;
    }
  }
  if (!addresses.empty()) {
    return addresses.front();
  }
  return std::nullopt;
}

}  // namespace

std::optional<IpAddress> addressOfTarget(const model::Topology& topology,
                                         const std::string& target) {
  if (auto ip = parseIp(target)) {
    return ip;
  }
  const auto colon = target.find(':');
  const auto node = target.substr(0, colon);
  const auto ifname = colon == std::string::npos ? "" : target.substr(colon + 1);
  return firstAddress(model::nodeAddresses(topology, node, ifname));
}

std::optional<std::string> nodeWithAddress(const model::Topology& topology,
                                           const IpAddress& address) {
  std::set<std::string> nodes;
  for (const auto& [name, node] : topology.nodes) {
    nodes.insert(name);
  }
  for (const auto& [name, bridge] : topology.bridges) {
    nodes.insert(bridge.node);
  }
  for (const auto& node : nodes) {
    for (const auto& candidate : model::nodeAddresses(topology, node, "")) {
      if (candidate.family == address.family && candidate.bytes == address.bytes) {
        return node;
      }
    }
  }
  return std::nullopt;
}

std::vector<ProbeSpec> probesFor(const model::Topology& topology) {
  std::vector<ProbeSpec> probes;
  std::set<std::pair<std::string, IpAddress>> explicit_pairs;
  for (const auto& e : topology.verify.expectations) {
    ProbeSpec spec{e.from, e.to, {}, e.port.value_or(0), e.reachable, e.loc};
    auto address = addressOfTarget(topology, e.to);
    if (!address) {
      continue;  // the validator reports it
    }
    spec.address = *address;
    if (spec.tcp_port == 0) {
      // Only an ICMP expectation replaces the all-pairs ping of the same pair; a TCP one is a
      // separate question (a closed port says nothing about ping).
      explicit_pairs.insert({spec.from, spec.address});
    }
    probes.push_back(std::move(spec));
  }
  if (topology.verify.all_pairs) {
    for (const auto& [from, node] : topology.nodes) {
      for (const auto& [to, other] : topology.nodes) {
        if (from == to || from == model::kHostNode) {
          continue;
        }
        for (const auto& address : model::nodeAddresses(topology, to, "")) {
          if (explicit_pairs.count({from, address}) == 0) {
            probes.push_back(ProbeSpec{from, address.str(), address, 0, true, topology.verify.loc});
          }
        }
      }
    }
  }
  return probes;
}

std::size_t probeBatchSize(std::size_t table_limit) {
  constexpr std::size_t kEntriesPerProbe = 4;
  constexpr std::size_t kSmallestBatch = 16;
  return std::max(kSmallestBatch, table_limit / 2 / kEntriesPerProbe);
}

std::vector<ProbeResult> runProbes(const std::vector<ProbeSpec>& probes,
                                   const std::function<ProbeResult(const ProbeSpec&)>& probe,
                                   std::size_t parallel, const ProbeBatches& batches) {
  std::vector<ProbeResult> results(probes.size());
  const std::size_t batch = batches.size == 0 ? probes.size() : batches.size;
  for (std::size_t begin = 0; begin < probes.size(); begin += batch) {
    const std::size_t end = std::min(probes.size(), begin + batch);
    if (begin > 0 && batches.between) {
      batches.between();
    }
    std::atomic<std::size_t> next{begin};
    auto work = [&] {
      for (std::size_t i = next++; i < end; i = next++) {
        results[i] = probe(probes[i]);
      }
    };
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < std::min(parallel, end - begin); ++i) {
      threads.emplace_back(work);
    }
    for (auto& thread : threads) {
      thread.join();
    }
  }
  // A reachable target can look unreachable when many probes run together on a large lab: the
  // kernel's IPv4 neighbour table is one for all namespaces (gc_thresh3, 1024 entries here), each
  // probe adds two entries, and a packet whose entry cannot be made is dropped (measured in
  // docs/performance.md, "Generated labs"). A reachable target does not become unreachable by
  // waiting, so the unexpected failures of a parallel run are probed again, one at a time, on a
  // thread of their own (a probe enters its node's namespace and would leave the caller there).
  if (parallel > 1) {
    std::thread retries([&] {
      for (std::size_t i = 0; i < probes.size(); ++i) {
        if (probes[i].expect_reachable && !results[i].reachable) {
          results[i] = probe(probes[i]);
        }
      }
    });
    retries.join();
  }
  return results;
}

}  // namespace nstopo::app
