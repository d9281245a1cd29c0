// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/link_kinds.h"

#include <sys/socket.h>

#include <array>
#include <utility>

#include <fmt/format.h>

#include "nstopo/core/overloaded.h"

namespace nstopo::model {
namespace {

constexpr std::array kAllKinds = {LinkKind::kVeth,   LinkKind::kMacvlan,  LinkKind::kIpvlan,
                                  LinkKind::kVlan,   LinkKind::kVxlan,    LinkKind::kDummy,
                                  LinkKind::kVrf,    LinkKind::kBond,     LinkKind::kOvsInternal,
                                  LinkKind::kBridge, LinkKind::kLoopback, LinkKind::kOther};
static_assert(kAllKinds.size() == static_cast<std::size_t>(LinkKind::kOther) + 1,
              "every LinkKind is in kAllKinds (kOther is the last)");

template <class Enum>
struct Names;

template <>
struct Names<MacvlanMode> {
  // kOther is what the reader makes of a mode nstopo does not offer (source): never a choice.
  static constexpr std::array<std::pair<MacvlanMode, std::string_view>, 4> kTable = {{
      {MacvlanMode::kPrivate, "private"},
      {MacvlanMode::kVepa, "vepa"},
      {MacvlanMode::kBridge, "bridge"},
      {MacvlanMode::kPassthru, "passthru"},
  }};
};

template <>
struct Names<IpvlanMode> {
  static constexpr std::array<std::pair<IpvlanMode, std::string_view>, 3> kTable = {{
      {IpvlanMode::kL2, "l2"},
      {IpvlanMode::kL3, "l3"},
      {IpvlanMode::kL3s, "l3s"},
  }};
};

template <>
struct Names<IpvlanFlag> {
  static constexpr std::array<std::pair<IpvlanFlag, std::string_view>, 3> kTable = {{
      {IpvlanFlag::kBridge, "bridge"},
      {IpvlanFlag::kPrivate, "private"},
      {IpvlanFlag::kVepa, "vepa"},
  }};
};

template <>
struct Names<VlanProtocol> {
  static constexpr std::array<std::pair<VlanProtocol, std::string_view>, 2> kTable = {{
      {VlanProtocol::k8021Q, "802.1Q"},
      {VlanProtocol::k8021ad, "802.1ad"},
  }};
};

template <>
struct Names<BondMode> {
  static constexpr std::array<std::pair<BondMode, std::string_view>, 7> kTable = {{
      {BondMode::kBalanceRr, "balance-rr"},
      {BondMode::kActiveBackup, "active-backup"},
      {BondMode::kBalanceXor, "balance-xor"},
      {BondMode::kBroadcast, "broadcast"},
      {BondMode::k8023ad, "802.3ad"},
      {BondMode::kBalanceTlb, "balance-tlb"},
      {BondMode::kBalanceAlb, "balance-alb"},
  }};
};

template <class Enum>
std::string_view nameIn(Enum value) {
  for (const auto& [known, name] : Names<Enum>::kTable) {
    if (known == value) {
      return name;
    }
  }
  return "other";
}

}  // namespace

const KindInfo& kindInfo(LinkKind kind) {
  // One row per kind. No default: a new kind does not compile until it has its row.
  switch (kind) {
    case LinkKind::kVeth: {
      static constexpr KindInfo kRow{"veth", "veth", "CONFIG_VETH", "veth", LinkShape::kPair};
      return kRow;
    }
    case LinkKind::kMacvlan: {
      static constexpr KindInfo kRow{"macvlan", "macvlan", "CONFIG_MACVLAN", "macvlan",
                                     LinkShape::kStacked};
      return kRow;
    }
    case LinkKind::kIpvlan: {
      static constexpr KindInfo kRow{"ipvlan", "ipvlan", "CONFIG_IPVLAN", "ipvlan",
                                     LinkShape::kStacked};
      return kRow;
    }
    case LinkKind::kVlan: {
      static constexpr KindInfo kRow{"vlan", "vlan", "CONFIG_VLAN_8021Q", "8021q",
                                     LinkShape::kStacked};
      return kRow;
    }
    case LinkKind::kVxlan: {
      // Stacked on its underlay, which may live in another namespace than the device: the
      // device is created from there, so its UDP socket stays there.
      static constexpr KindInfo kRow{
          "vxlan", "vxlan", "CONFIG_VXLAN", "vxlan", LinkShape::kStacked, "underlay", true};
      return kRow;
    }
    case LinkKind::kDummy: {
      static constexpr KindInfo kRow{"dummy", "dummy", "CONFIG_DUMMY", "dummy",
                                     LinkShape::kStandalone};
      return kRow;
    }
    case LinkKind::kVrf: {
      static constexpr KindInfo kRow{"vrf", "vrf", "CONFIG_NET_VRF", "vrf", LinkShape::kStandalone};
      return kRow;
    }
    case LinkKind::kBond: {
      static constexpr KindInfo kRow{"bond", "bond", "CONFIG_BONDING", "bonding",
                                     LinkShape::kStandalone};
      return kRow;
    }
    case LinkKind::kOvsInternal: {
      // vswitchd makes the device; the planner knows it through its OVS port, not its kind.
      static constexpr KindInfo kRow{"ovs-internal", "", "CONFIG_OPENVSWITCH", "",
                                     LinkShape::kOvsPort};
      return kRow;
    }
    case LinkKind::kBridge: {
      static constexpr KindInfo kRow{"bridge", "bridge", "CONFIG_BRIDGE", "bridge",
                                     LinkShape::kBridge};
      return kRow;
    }
    case LinkKind::kLoopback: {
      static constexpr KindInfo kRow{"loopback", "", "", "", LinkShape::kForeign};
      return kRow;
    }
    case LinkKind::kOther: {
      static constexpr KindInfo kRow{"other", "", "", "", LinkShape::kForeign};
      return kRow;
    }
  }
  return kindInfo(LinkKind::kOther);
}

const char* toString(LinkKind kind) {
  return kindInfo(kind).name.data();  // the table's literals end in NUL
}

LinkShape shapeOf(LinkKind kind) {
  return kindInfo(kind).shape;
}

bool isStacked(LinkKind kind) {
  return shapeOf(kind) == LinkShape::kStacked;
}

std::vector<LinkKind> fileLinkKinds() {
  std::vector<LinkKind> kinds;
  for (const auto kind : kAllKinds) {
    const auto shape = shapeOf(kind);
    if (shape != LinkShape::kBridge && shape != LinkShape::kForeign) {
      kinds.push_back(kind);
    }
  }
  return kinds;
}

std::optional<LinkKind> linkKindNamed(std::string_view name) {
  for (const auto kind : fileLinkKinds()) {
    if (kindInfo(kind).name == name) {
      return kind;
    }
  }
  return std::nullopt;
}

LinkKind kindOfKernel(std::string_view kernel_kind) {
  for (const auto kind : kAllKinds) {
    if (!kernel_kind.empty() && kindInfo(kind).kernel_kind == kernel_kind) {
      return kind;
    }
  }
  return LinkKind::kOther;
}

LinkOptions defaultOptions(LinkKind kind) {
  switch (kind) {
    case LinkKind::kMacvlan:
      return MacvlanOptions{};
    case LinkKind::kIpvlan:
      return IpvlanOptions{};
    case LinkKind::kVlan:
      return VlanOptions{};
    case LinkKind::kVxlan:
      return VxlanOptions{};
    case LinkKind::kVrf:
      return VrfOptions{};
    case LinkKind::kBond:
      return BondOptions{};
    case LinkKind::kVeth:
    case LinkKind::kDummy:
    case LinkKind::kOvsInternal:
    case LinkKind::kBridge:
    case LinkKind::kLoopback:
    case LinkKind::kOther:
      return NoOptions{};
  }
  return NoOptions{};
}

std::string optionsText(const LinkOptions& options, bool brief) {
  return std::visit(
      Overloaded{
          [](const NoOptions&) { return std::string(); },
          [](const MacvlanOptions& o) { return fmt::format("mode {}", toString(o.mode)); },
          [&](const IpvlanOptions& o) {
            return brief ? fmt::format("mode {}", toString(o.mode))
                         : fmt::format("mode {}, flag {}", toString(o.mode), toString(o.flag));
          },
          [&](const VlanOptions& o) {
            return brief ? fmt::format("id {}", o.id)
                         : fmt::format("id {}, {}", o.id, toString(o.protocol));
          },
          [&](const VxlanOptions& o) {
            if (brief) {
              return fmt::format("vni {}", o.vni);
            }
            std::string text = fmt::format("vni {}", o.vni);
            if (o.remote) {
              text += fmt::format(", remote {}", o.remote->str());
            }
            if (o.group) {
              text += fmt::format(", group {}", o.group->str());
            }
            if (o.local) {
              text += fmt::format(", local {}", o.local->str());
            }
            text += fmt::format(", port {}", o.dstport);
            if (o.ttl != 0) {
              text += fmt::format(", ttl {}", o.ttl);
            }
            if (!o.learning) {
              text += ", nolearning";
            }
            return text;
          },
          [](const VrfOptions& o) { return fmt::format("table {}", o.table); },
          [&](const BondOptions& o) {
            return brief || o.miimon == 0
                       ? fmt::format("mode {}", toString(o.mode))
                       : fmt::format("mode {}, miimon {}", toString(o.mode), o.miimon);
          },
      },
      options);
}

int VxlanOptions::family() const {
  for (const auto* address : {&local, &remote, &group}) {
    if (*address && (*address)->family == AF_INET6) {
      return AF_INET6;
    }
  }
  return AF_INET;
}

std::uint32_t vxlanOverhead(int family) {
  // Outer Ethernet 14, IP 20 or 40, UDP 8, VXLAN 8: the kernel's VXLAN_HEADROOM/VXLAN6_HEADROOM.
  return family == AF_INET6 ? 70 : 50;
}

std::string_view toString(MacvlanMode value) {
  return nameIn(value);
}

std::string_view toString(IpvlanMode value) {
  return nameIn(value);
}

std::string_view toString(IpvlanFlag value) {
  return nameIn(value);
}

std::string_view toString(VlanProtocol value) {
  return nameIn(value);
}

std::string_view toString(BondMode value) {
  return nameIn(value);
}

bool hasPrimary(BondMode mode) {
  switch (mode) {
    case BondMode::kActiveBackup:
    case BondMode::kBalanceTlb:
    case BondMode::kBalanceAlb:
      return true;
    case BondMode::kBalanceRr:
    case BondMode::kBalanceXor:
    case BondMode::kBroadcast:
    case BondMode::k8023ad:
      return false;
  }
  return false;
}

template <class Enum>
std::vector<std::string> optionChoices() {
  std::vector<std::string> out;
  for (const auto& [value, name] : Names<Enum>::kTable) {
    out.emplace_back(name);
  }
  return out;
}

template <class Enum>
std::optional<Enum> optionNamed(std::string_view word) {
  for (const auto& [value, name] : Names<Enum>::kTable) {
    if (name == word) {
      return value;
    }
  }
  return std::nullopt;
}

template std::vector<std::string> optionChoices<MacvlanMode>();
template std::vector<std::string> optionChoices<IpvlanMode>();
template std::vector<std::string> optionChoices<IpvlanFlag>();
template std::vector<std::string> optionChoices<VlanProtocol>();
template std::vector<std::string> optionChoices<BondMode>();
template std::optional<MacvlanMode> optionNamed<MacvlanMode>(std::string_view);
template std::optional<IpvlanMode> optionNamed<IpvlanMode>(std::string_view);
template std::optional<IpvlanFlag> optionNamed<IpvlanFlag>(std::string_view);
template std::optional<VlanProtocol> optionNamed<VlanProtocol>(std::string_view);
template std::optional<BondMode> optionNamed<BondMode>(std::string_view);

}  // namespace nstopo::model
