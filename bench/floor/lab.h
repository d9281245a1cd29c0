// SPDX-License-Identifier: Apache-2.0
// The benchmark labs of bench/bench.py (class Lab), with the same names and addresses, and the
// marks nstopo leaves on what it creates (so the end states compare equal).
#pragma once

#include <string>
#include <vector>

namespace floor_bench {

struct Lab {
  enum class Kind { kStar, kChain };
  Kind kind = Kind::kStar;
  int n = 0;

  static constexpr int kPortsPerBridge = 1000;  // bench.py's Lab.PORTS_PER_BRIDGE

  std::string name() const { return kind == Kind::kStar ? "bench-star" : "bench-chain"; }

  std::string node(int i) const { return "b" + std::to_string(i); }  // 1-based

  std::vector<std::string> nodes() const;
  int bridgeCount() const;

  std::string bridge(int k) const { return "br-bench" + std::to_string(k); }

  int bridgeOf(int i) const { return (i - 1) / kPortsPerBridge; }

  /// nstopo's mark on what the lab owns (lo of every namespace, bridges): its ifalias.
  std::string mark() const { return "nstopo:" + name(); }

  /// The mark on one end of a veth names the other end.
  std::string vethMark(const std::string& peer_netns, const std::string& peer_name) const {
    return mark() + ":" + peer_netns + "/" + peer_name;
  }
};

}  // namespace floor_bench
