// SPDX-License-Identifier: Apache-2.0
#include "nstopo/state/state_diff.h"

#include <fmt/format.h>

namespace nstopo::state {
namespace {

std::string text(const std::optional<IfRef>& ref) {
  return ref ? ref->str() : "none";
}

std::string text(const std::optional<std::string>& value) {
  return value.value_or("none");
}

std::string text(const std::optional<std::uint32_t>& value) {
  return value ? std::to_string(*value) : "none";
}

std::string text(const std::string& value) {
  return value.empty() ? "none" : value;
}

std::string text(const std::optional<bool>& value) {
  if (!value) {
    return "unknown";
  }
  return *value ? "on" : "off";
}

std::string text(bool value) {
  return value ? "up" : "down";
}

std::string text(const std::set<IpAddress>& addresses) {
  std::vector<std::string> parts;
  for (const auto& address : addresses) {
    parts.push_back(address.prefix_len < 0 ? address.str() : address.cidr());
  }
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, " "));
}

std::string text(const std::optional<model::Impairment>& impair) {
  return impair ? model::impairmentText(*impair) : "none";
}

std::string text(const std::optional<int>& value) {
  return value ? std::to_string(*value) : "none";
}

std::string text(const std::vector<int>& values) {
  return values.empty() ? "none" : fmt::format("{}", fmt::join(values, ","));
}

/// Collects the differences of one walk, with the object's path in front of each.
class Differ {
 public:
  template <typename T>
  void field(const std::string& path, const char* name, const T& before, const T& after) {
    if (before != after) {
      lines_.push_back(fmt::format("~ {} {} {} -> {}", path, name, text(before), text(after)));
    }
  }

  /// Walks two sorted maps: "-" for keys only before, "+" for keys only after, `both` else.
  template <typename Map, typename Describe, typename Both>
  void keyed(const Map& before, const Map& after, Describe describe, Both both) {
    for (const auto& [key, value] : before) {
      const auto it = after.find(key);
      if (it == after.end()) {
        lines_.push_back("- " + describe(key, value));
      } else {
        both(key, value, it->second);
      }
    }
    for (const auto& [key, value] : after) {
      if (before.count(key) == 0) {
        lines_.push_back("+ " + describe(key, value));
      }
    }
  }

  void link(const std::string& path, const LinkState& a, const LinkState& b) {
    field(path, "kind", a.kind_name, b.kind_name);
    field(path, "peer", a.peer, b.peer);
    field(path, "parent", a.lower, b.lower);
    field(path, "master", a.master, b.master);
    field(path, "mtu", a.mtu, b.mtu);
    // A bridge takes its MAC from its ports unless one is set, and a device of someone else's
    // (Open vSwitch's own, say) gets whatever its maker gives it: only the lab's devices keep
    // theirs through a rollback.
    if (a.kind != LinkKind::kBridge && !a.owner.empty()) {
      field(path, "mac", a.mac, b.mac);
    }
    field(path, "state", a.up, b.up);
    field(path, "ipv6 link-local", a.ipv6_link_local, b.ipv6_link_local);
    field(path, "addresses", a.addresses, b.addresses);
    field(path, "vxlan peers", a.fdb_peers, b.fdb_peers);
    field(path, "primary", a.bond_primary, b.bond_primary);
    field(path, "impair", a.impair, b.impair);
    field(path, "qdisc", a.foreign_qdisc, b.foreign_qdisc);
    field(path, "owner", a.owner, b.owner);
  }

  void netns(const std::string& name, const NetnsState& a, const NetnsState& b) {
    field(name + ":lo", "state", a.loopback_up, b.loopback_up);
    field(name + ":lo", "addresses", a.loopback_addresses, b.loopback_addresses);
    field("netns " + name, "owner", a.owner, b.owner);
    keyed(
        a.links, b.links,
        [&](const std::string& link, const LinkState& state) {
          return fmt::format("link {}:{} ({})", name, link, state.kind_name);
        },
        [&](const std::string& link, const LinkState& x, const LinkState& y) {
          this->link(name + ":" + link, x, y);
        });
    keyed(
        a.routes, b.routes,
        [&](const std::string&, const RouteState& route) {
          return fmt::format("route {}: {}", name, route.str());
        },
        [&](const std::string&, const RouteState& x, const RouteState& y) {
          if (x.via != y.via || x.dev != y.dev) {
            lines_.push_back(fmt::format("~ route {}: {} -> {}", name, x.str(), y.str()));
          } else if (x.protocol != y.protocol) {  // an adopted route's mark (apply --adopt)
            lines_.push_back(fmt::format("~ route {}: {}: protocol {} -> {}", name, x.str(),
                                         x.protocol, y.protocol));
          }
        });
    keyed(
        a.sysctls, b.sysctls,
        [&](const std::string& key, const std::string& value) {
          return fmt::format("sysctl {}: {} = {}", name, key, value);
        },
        [&](const std::string& key, const std::string& x, const std::string& y) {
          field(name, key.c_str(), x, y);
        });
  }

  void ovsBridge(const std::string& name, const OvsBridgeState& a, const OvsBridgeState& b) {
    field("ovs " + name, "datapath", a.datapath, b.datapath);
    field("ovs " + name, "fail_mode", a.fail_mode, b.fail_mode);
    field("ovs " + name, "owner", a.owner, b.owner);
    keyed(
        a.ports, b.ports,
        [&](const std::string& port, const OvsPortState&) {
          return fmt::format("ovs port {} on {}", port, name);
        },
        [&](const std::string& port, const OvsPortState& x, const OvsPortState& y) {
          const std::string path = "ovs port " + port;
          field(path, "tag", x.tag, y.tag);
          field(path, "trunks", x.trunks, y.trunks);
          field(path, "internal", x.internal ? std::string("yes") : std::string("no"),
                y.internal ? std::string("yes") : std::string("no"));
          field(path, "owner", x.owner, y.owner);
        });
  }

  std::vector<std::string> lines_;
};

}  // namespace

std::vector<std::string> differences(const State& before, const State& after) {
  Differ differ;
  differ.keyed(
      before.netns, after.netns,
      [](const std::string& name, const NetnsState&) { return "netns " + name; },
      [&](const std::string& name, const NetnsState& a, const NetnsState& b) {
        differ.netns(name, a, b);
      });
  differ.keyed(
      before.ovs_bridges, after.ovs_bridges,
      [](const std::string& name, const OvsBridgeState&) { return "ovs bridge " + name; },
      [&](const std::string& name, const OvsBridgeState& a, const OvsBridgeState& b) {
        differ.ovsBridge(name, a, b);
      });
  return std::move(differ.lines_);
}

}  // namespace nstopo::state
