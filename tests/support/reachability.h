// SPDX-License-Identifier: Apache-2.0
// A small forwarding simulation over a parsed topology, for the generator's tests: does a packet
// from a node reach an address, following the file's connected subnets, routes and forwarding
// sysctls, over the layer 2 segments its links and bridges make? No kernel involved.
#pragma once

#include <sys/socket.h>

#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "nstopo/model/topology.h"

namespace nstopo::support {

class Reachability {
 public:
  explicit Reachability(const model::Topology& topology) : topology_(topology) {
    for (const auto& link : topology.links) {
      // Every end of a link, and the bridge it is a port of, share one segment: a veth pair's two
      // ends, an ovs-internal port and its bridge.
      std::vector<std::string> keys;
      for (const auto& end : link.endpoints) {
        keys.push_back(end.on_bridge ? "bridge:" + end.owner : end.owner + ":" + end.ifname);
      }
      if (!link.ovs_bridge.empty()) {
        keys.push_back("bridge:" + link.ovs_bridge);
      }
      for (std::size_t i = 1; i < keys.size(); ++i) {
        join(keys[0], keys[i]);
      }
    }
    for (const auto& [name, node] : topology.nodes) {
      for (const auto& [ifname, settings] : node.interfaces) {
        for (const auto& address : settings.addresses) {
          interfaces_[name].push_back({name + ":" + ifname, address.ip});
        }
      }
    }
    for (const auto& [name, bridge] : topology.bridges) {
      for (const auto& address : bridge.settings.addresses) {
        interfaces_[bridge.node].push_back({"bridge:" + name, address.ip});
      }
    }
  }

  /// Every address of every node, as (node, address without prefix).
  [[nodiscard]] std::vector<std::pair<std::string, IpAddress>> allAddresses() const {
    std::vector<std::pair<std::string, IpAddress>> out;
    for (const auto& [node, list] : interfaces_) {
      for (const auto& iface : list) {
        auto ip = iface.address;
        ip.prefix_len = -1;
        out.emplace_back(node, ip);
      }
    }
    return out;
  }

  /// Empty when `from` reaches `to`, else why not.
  [[nodiscard]] std::string whyNot(const std::string& from, const IpAddress& to) {
    std::string at = from;
    for (int hop = 0; hop < 64; ++hop) {
      const auto& mine = interfaces_[at];
      for (const auto& iface : mine) {
        if (same(iface.address, to)) {
          return "";
        }
      }
      if (hop > 0 && !forwards(at, to.family)) {
        return at + " does not forward";
      }
      // A connected subnet: the owner of the address must share the segment.
      for (const auto& iface : mine) {
        if (iface.address.contains(to)) {
          return onSegment(iface.key, to) ? "" : at + ": " + to.str() + " is not on its segment";
        }
      }
      const model::Route* best = nullptr;
      for (const auto& route : topology_.nodes.at(at).routes) {
        const int family = route.via ? route.via->family : route.family;
        if (family != to.family || (!route.is_default && !route.to.contains(to))) {
          continue;
        }
        const int length = route.is_default ? 0 : route.to.prefix_len;
        const int best_length = best == nullptr ? -1 : (best->is_default ? 0 : best->to.prefix_len);
        if (length > best_length) {
          best = &route;
        }
      }
      if (best == nullptr || !best->via) {
        return at + " has no route to " + to.str();
      }
      const auto next = neighbourWith(at, *best->via);
      if (!next) {
        return at + ": gateway " + best->via->str() + " is not a neighbour";
      }
      at = *next;
    }
    return "a routing loop";
  }

 private:
  struct Iface {
    std::string key;  ///< "NODE:IF" or "bridge:NAME": its layer 2 segment
    IpAddress address;
  };

  static bool same(const IpAddress& a, const IpAddress& b) {
    return a.family == b.family && a.bytes == b.bytes;
  }

  std::string find(const std::string& key) {
    auto it = parent_.find(key);
    if (it == parent_.end() || it->second == key) {
      return key;
    }
    return it->second = find(it->second);
  }

  void join(const std::string& a, const std::string& b) { parent_[find(a)] = find(b); }

  bool onSegment(const std::string& key, const IpAddress& to) {
    for (const auto& [node, list] : interfaces_) {
      for (const auto& iface : list) {
        if (same(iface.address, to)) {
          return find(iface.key) == find(key);
        }
      }
    }
    return false;
  }

  std::optional<std::string> neighbourWith(const std::string& at, const IpAddress& via) {
    for (const auto& iface : interfaces_[at]) {
      if (iface.address.contains(via) && onSegment(iface.key, via)) {
        for (const auto& [node, list] : interfaces_) {
          for (const auto& other : list) {
            if (same(other.address, via)) {
              return node;
            }
          }
        }
      }
    }
    return std::nullopt;
  }

  bool forwards(const std::string& node, int family) const {
    const auto& key = family == AF_INET ? "net.ipv4.ip_forward" : "net.ipv6.conf.all.forwarding";
    for (const auto& sysctl : topology_.nodes.at(node).sysctls) {
      if (sysctl.key == key && sysctl.value == "1") {
        return true;
      }
    }
    return false;
  }

  const model::Topology& topology_;
  std::map<std::string, std::string> parent_;
  std::map<std::string, std::vector<Iface>> interfaces_;
};

}  // namespace nstopo::support
