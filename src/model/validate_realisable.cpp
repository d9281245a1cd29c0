// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_realisable.h"

#include <sys/socket.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {
namespace {

/// The IPv6 minimum link MTU (RFC 8200): below it the kernel disables IPv6 on the device.
constexpr std::uint32_t kIpv6MinMtu = 1280;
/// What the kernel gives a veth or bridge the file sets no MTU for.
constexpr std::uint32_t kDefaultMtu = 1500;

/// One interface the lab creates, as the file describes it, wherever its settings live (under
/// `nodes.N.interfaces` or, for a bridge, under `bridges`).
struct InterfaceView {
  std::string netns;
  std::string name;
  bool up = true;
  std::optional<std::uint32_t> mtu;
  const std::vector<Address>* addresses = nullptr;
  SourceLoc loc;
};

class RealisableChecker {
 public:
  RealisableChecker(const Topology& topology, Diagnostics& problems)
      : topology_(topology), problems_(problems) {}

  void run() {
    // Each namespace's interfaces, gathered once: a gateway route looks through its own node's
    // (gathering every interface again per route made a 500-node chain take a second).
    const auto interfaces = allInterfaces();
    for (const auto& view : interfaces) {
      by_netns_[view.netns].push_back(&view);
    }
    for (const auto& [node_name, node] : topology_.nodes) {
      for (const auto& route : node.routes) {
        checkRoute(node_name, route);
      }
    }
    for (const auto& view : interfaces) {
      checkIpv6Mtu(view);
    }
    for (const auto& link : topology_.links) {
      checkStackedMtu(link);
    }
  }

 private:
  void problem(const SourceLoc& loc, std::string message) {
    problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
  }

  [[nodiscard]] std::vector<InterfaceView> allInterfaces() const {
    std::vector<InterfaceView> views;
    for (const auto& [node_name, node] : topology_.nodes) {
      for (const auto& [ifname, settings] : node.interfaces) {
        views.push_back(InterfaceView{node_name, ifname, settings.up, settings.mtu,
                                      &settings.addresses, settings.loc});
      }
    }
    for (const auto& [name, bridge] : topology_.bridges) {
      if (bridge.kind == BridgeKind::kLinux) {
        views.push_back(InterfaceView{bridge.node, name, bridge.settings.up, bridge.settings.mtu,
                                      &bridge.settings.addresses, bridge.loc});
      }
    }
    return views;
  }

  /// The file's settings for NETNS:IFNAME; nothing when the file gives none.
  [[nodiscard]] std::optional<InterfaceView> settingsOf(const std::string& netns,
                                                        const std::string& ifname) const {
    if (const auto bridge = topology_.bridges.find(ifname);
        bridge != topology_.bridges.end() && bridge->second.kind == BridgeKind::kLinux &&
        bridge->second.node == netns) {
      const auto& b = bridge->second;
      return InterfaceView{netns, ifname, b.settings.up, b.settings.mtu, &b.settings.addresses,
                           b.loc};
    }
    const auto node = topology_.nodes.find(netns);
    if (node == topology_.nodes.end()) {
      return std::nullopt;
    }
    const auto settings = node->second.interfaces.find(ifname);
    if (settings == node->second.interfaces.end()) {
      return std::nullopt;
    }
    const auto& s = settings->second;
    return InterfaceView{netns, ifname, s.up, s.mtu, &s.addresses, s.loc};
  }

  void checkRoute(const std::string& node_name, const Route& route) {
    const std::string where =
        fmt::format("node '{}' route to {}", printable(node_name),
                    route.is_default ? std::string("default") : route.to.cidr());
    if (route.dev) {
      const auto dev = settingsOf(node_name, *route.dev);
      if (dev && !dev->up) {
        problem(route.loc, fmt::format("{}: dev '{}' is down (up: false), and the kernel deletes "
                                       "every route through a device that goes down",
                                       where, printable(*route.dev)));
      }
      return;
    }
    if (!route.via) {
      return;
    }
    // Without dev the kernel picks the interface whose subnet holds the gateway.
    std::vector<std::string> down;
    bool reachable_up = false;
    static const std::vector<const InterfaceView*> kNone;
    const auto here = by_netns_.find(node_name);
    for (const auto* view : here == by_netns_.end() ? kNone : here->second) {
      for (const auto& address : *view->addresses) {
        if (!address.ip.contains(*route.via)) {
          continue;
        }
        if (view->up) {
          reachable_up = true;
        } else {
          down.push_back(view->name);
        }
      }
    }
    if (!reachable_up && !down.empty()) {
      problem(route.loc, fmt::format("{}: gateway {} is reachable only through '{}', which is down "
                                     "(up: false), and the kernel deletes routes through a device "
                                     "that goes down",
                                     where, route.via->str(), printable(down.front())));
    }
  }

  void checkIpv6Mtu(const InterfaceView& view) {
    if (!view.mtu || *view.mtu >= kIpv6MinMtu) {
      return;
    }
    for (const auto& address : *view.addresses) {
      if (address.ip.family == AF_INET6) {
        problem(view.loc,
                fmt::format("{}:{}: mtu {} is below {}, the IPv6 minimum, and the kernel turns "
                            "IPv6 off on such a device and drops its address {}",
                            printable(view.netns), printable(view.name), *view.mtu, kIpv6MinMtu,
                            address.ip.cidr()));
        return;
      }
    }
  }

  void checkStackedMtu(const Link& link) {
    if (!isStacked(link.kind) || !link.parent || link.endpoints.size() != 1) {
      return;
    }
    const auto& endpoint = link.endpoints.front();
    const auto self = settingsOf(endpointNetns(topology_, endpoint), endpoint.ifname);
    if (!self || !self->mtu) {
      return;
    }
    const auto parent_netns = endpointNetns(topology_, *link.parent);
    const auto parent = settingsOf(parent_netns, link.parent->ifname);
    if (!parent && !createdByLab(parent_netns, link.parent->ifname)) {
      return;  // a device the lab does not create: its MTU is the machine's business
    }
    std::uint32_t parent_mtu = parent && parent->mtu ? *parent->mtu : kDefaultMtu;
    std::string why = parent && parent->mtu ? "" : ", the kernel's default";
    if (const auto port = smallestPortMtu(parent_netns, link.parent->ifname);
        !(parent && parent->mtu) && port && port->first < parent_mtu) {
      // A bridge without an MTU of its own takes its smallest port's.
      parent_mtu = port->first;
      why = fmt::format(
          ", the MTU of its port '{}': a bridge without its own mtu takes its "
          "smallest port's",
          printable(port->second));
    }
    if (const auto* vxlan = std::get_if<VxlanOptions>(&link.options)) {
      // The kernel keeps room for the encapsulation below the underlay's MTU.
      const auto overhead = vxlanOverhead(vxlan->family());
      if (*self->mtu + overhead > parent_mtu) {
        problem(self->loc,
                fmt::format("{}:{}: mtu {} does not fit in its underlay '{}' ({}{}) with the {} "
                            "bytes of VXLAN over {}; at most {}",
                            printable(self->netns), printable(self->name), *self->mtu,
                            printable(link.parent->ifname), parent_mtu, why, overhead,
                            vxlan->family() == AF_INET6 ? "IPv6" : "IPv4",
                            parent_mtu > overhead ? parent_mtu - overhead : 0));
      }
      return;
    }
    if (*self->mtu > parent_mtu) {
      problem(self->loc,
              fmt::format("{}:{}: mtu {} is larger than that of its parent '{}' ({}{}); the "
                          "kernel refuses a {} link above its parent's MTU",
                          printable(self->netns), printable(self->name), *self->mtu,
                          printable(link.parent->ifname), parent_mtu, why, toString(link.kind)));
    }
  }

  /// For a Linux bridge of the file, the smallest MTU the file gives one of its ports, with that
  /// port's name; nothing for anything else or when no port has an MTU.
  [[nodiscard]] std::optional<std::pair<std::uint32_t, std::string>> smallestPortMtu(
      const std::string& netns, const std::string& bridge_name) const {
    const auto bridge = topology_.bridges.find(bridge_name);
    if (bridge == topology_.bridges.end() || bridge->second.kind != BridgeKind::kLinux ||
        bridge->second.node != netns) {
      return std::nullopt;
    }
    std::optional<std::pair<std::uint32_t, std::string>> smallest;
    for (const auto& link : topology_.links) {
      for (const auto& endpoint : link.endpoints) {
        if (!isBridgePort(link) || endpoint.owner != bridge_name) {
          continue;
        }
        const auto port = settingsOf(netns, endpoint.ifname);
        if (port && port->mtu && (!smallest || *port->mtu < smallest->first)) {
          smallest = std::pair{*port->mtu, endpoint.ifname};
        }
      }
    }
    return smallest;
  }

  /// Whether a link's endpoints may be ports of a bridge: a veth's ends, a vxlan.
  static bool isBridgePort(const Link& link) {
    return link.kind == LinkKind::kVeth || kindInfo(link.kind).bridge_port;
  }

  /// Whether NETNS:IFNAME is an endpoint of a veth or a Linux bridge of the file.
  [[nodiscard]] bool createdByLab(const std::string& netns, const std::string& ifname) const {
    if (const auto bridge = topology_.bridges.find(ifname);
        bridge != topology_.bridges.end() && bridge->second.kind == BridgeKind::kLinux &&
        bridge->second.node == netns) {
      return true;
    }
    for (const auto& link : topology_.links) {
      if (link.kind != LinkKind::kVeth) {
        continue;
      }
      for (const auto& endpoint : link.endpoints) {
        if (endpoint.ifname == ifname && endpointNetns(topology_, endpoint) == netns) {
          return true;
        }
      }
    }
    return false;
  }

  const Topology& topology_;
  std::map<std::string, std::vector<const InterfaceView*>> by_netns_;  ///< into run()'s views
  Diagnostics& problems_;
};

}  // namespace

void validateRealisable(const Topology& topology, Diagnostics& problems) {
  RealisableChecker(topology, problems).run();
}

}  // namespace nstopo::model
