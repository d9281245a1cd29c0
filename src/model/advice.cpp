// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/advice.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {
namespace {

/// The MTU a lab interface gets when the file gives none.
constexpr std::uint32_t kDefaultMtu = 1500;

struct Port {
  std::string name;
  std::uint32_t mtu = kDefaultMtu;
  const Link* vxlan = nullptr;  ///< the link, when the port is a vxlan
};

class MtuAdvice {
 public:
  MtuAdvice(const Topology& topology, Diagnostics& warnings)
      : topology_(topology), warnings_(warnings) {}

  void run() {
    for (const auto& [name, bridge] : topology_.bridges) {
      const auto ports = portsOf(name, bridge.node);
      const Port* largest = nullptr;
      for (const auto& port : ports) {
        if (port.vxlan == nullptr && (largest == nullptr || port.mtu > largest->mtu)) {
          largest = &port;
        }
      }
      for (const auto& port : ports) {
        if (port.vxlan != nullptr && largest != nullptr && largest->mtu > port.mtu) {
          warn(name, port, *largest);
        }
      }
    }
  }

 private:
  /// The ports the file puts on a bridge, with the MTU each will have; a vxlan whose MTU cannot
  /// be known (its underlay is a device of the machine) is left out.
  [[nodiscard]] std::vector<Port> portsOf(const std::string& bridge,
                                          const std::string& netns) const {
    std::vector<Port> ports;
    for (const auto& link : topology_.links) {
      for (const auto& endpoint : link.endpoints) {
        if (!endpoint.on_bridge || endpoint.owner != bridge) {
          continue;
        }
        const auto own = mtuOf(netns, endpoint.ifname);
        if (link.kind == LinkKind::kVeth) {
          ports.push_back(Port{endpoint.ifname, own.value_or(kDefaultMtu), nullptr});
        } else if (const auto* vxlan = std::get_if<VxlanOptions>(&link.options);
                   vxlan != nullptr && link.parent) {
          const auto mtu = own ? own : tunnelMtu(*link.parent, *vxlan);
          if (mtu) {
            ports.push_back(Port{endpoint.ifname, *mtu, &link});
          }
        }
      }
    }
    return ports;
  }

  /// A vxlan's MTU left to the kernel: its underlay's minus the encapsulation.
  [[nodiscard]] std::optional<std::uint32_t> tunnelMtu(const Endpoint& underlay,
                                                       const VxlanOptions& vxlan) const {
    const auto netns = endpointNetns(topology_, underlay);
    auto mtu = mtuOf(netns, underlay.ifname);
    if (!mtu && netns == kHostNode) {
      return std::nullopt;  // a device of the machine: its MTU is not in the file
    }
    const auto overhead = vxlanOverhead(vxlan.family());
    const auto under = mtu.value_or(kDefaultMtu);
    return under > overhead ? std::optional(under - overhead) : std::nullopt;
  }

  [[nodiscard]] std::optional<std::uint32_t> mtuOf(const std::string& netns,
                                                   const std::string& ifname) const {
    const auto node = topology_.nodes.find(netns);
    if (node == topology_.nodes.end()) {
      return std::nullopt;
    }
    const auto settings = node->second.interfaces.find(ifname);
    return settings == node->second.interfaces.end() ? std::nullopt : settings->second.mtu;
  }

  void warn(const std::string& bridge, const Port& vxlan, const Port& larger) {
    warnings_.push_back(Error{
        ErrorKind::kInvalidTopology,
        fmt::format("bridge '{}' mixes vxlan port '{}' (mtu {}) with port '{}' of mtu {}: the "
                    "tunnel drops every frame above {} bytes that comes from that port; give "
                    "the bridge's ports and what is behind them mtu {}, or raise the underlay's",
                    printable(bridge), printable(vxlan.name), vxlan.mtu, printable(larger.name),
                    larger.mtu, vxlan.mtu, vxlan.mtu),
        vxlan.vxlan->loc, 0});
  }

  const Topology& topology_;
  Diagnostics& warnings_;
};

}  // namespace

Diagnostics advise(const Topology& topology) {
  Diagnostics warnings;
  MtuAdvice(topology, warnings).run();
  return warnings;
}

}  // namespace nstopo::model
