// SPDX-License-Identifier: Apache-2.0
#include "nstopo/state/adopt.h"

#include <fmt/format.h>

#include "nstopo/model/topology.h"
#include "nstopo/state/unmarked_peers.h"

namespace nstopo::state {
namespace {

std::string refText(const std::optional<IfRef>& ref) {
  return ref ? ref->str() : std::string("none nstopo can tell");
}

/// Why the device `have` is not the one the file asks for, or "" when it is.
std::string mismatch(const LinkState& want, const LinkState& have) {
  if (want.kind == LinkKind::kOvsInternal) {
    return have.kind_name == "openvswitch" || have.kind_name == "tun"
               ? ""
               : fmt::format("the file asks for an ovs-internal port, it is a {} device",
                             have.kind_name.empty() ? toString(have.kind) : have.kind_name);
  }
  if (want.kind != have.kind) {
    return fmt::format("the file asks for a {}, it is a {} device", toString(want.kind),
                       have.kind_name.empty() ? toString(have.kind) : have.kind_name);
  }
  if (want.kind == LinkKind::kVeth && want.peer != have.peer) {
    return fmt::format("the file pairs it with {}, its other end is {}", refText(want.peer),
                       refText(have.peer));
  }
  if (isStacked(want.kind) && want.lower != have.lower) {
    return fmt::format("the file stacks it on {}, its parent is {}", refText(want.lower),
                       refText(have.lower));
  }
  return "";
}

/// The routes without nstopo's protocol in one namespace of the lab (read for `--adopt` only):
/// those the file names exactly (its key, gateway and device) are taken over; one with the key
/// of a file's route but another gateway or device stays unmarked, so the plan refuses it; the
/// rest is not the lab's business and leaves the state, so the plan never touches it.
void adoptRoutes(const std::string& netns_name, const NetnsState& want, NetnsState& have,
                 Adoption& out) {
  for (auto it = have.routes.begin(); it != have.routes.end();) {
    auto& route = it->second;
    if (route.protocol == kRouteProtocol) {
      ++it;
      continue;
    }
    const auto named = want.routes.find(it->first);
    if (named == want.routes.end()) {
      it = have.routes.erase(it);
      continue;
    }
    const auto& asked = named->second;
    if (asked.via != route.via) {
      out.refused.push_back(fmt::format("route {}: {}: the file asks for {}; not adopted",
                                        netns_name, route.str(),
                                        asked.via ? "via " + asked.via->str() : "no gateway"));
    } else if (!asked.dev.empty() && asked.dev != route.dev) {
      out.refused.push_back(fmt::format("route {}: {}: the file asks for dev {}; not adopted",
                                        netns_name, route.str(), asked.dev));
    } else if (!route.unmodelled.empty()) {
      // The mark replaces the route with the file's, which would drop these.
      out.refused.push_back(
          fmt::format("route {}: {}: it has {}, which the file cannot say; "
                      "not adopted",
                      netns_name, route.str(), route.unmodelled));
    } else {
      route.adopt_mark = true;
      out.adopted.push_back(fmt::format("route {}: {}", netns_name, route.str()));
    }
    ++it;
  }
}

}  // namespace

Adoption adoptNamed(const State& desired, State& actual) {
  Adoption out;
  pairUnmarkedLinks(actual);
  for (const auto& [name, want] : desired.netns) {
    const auto have = actual.netns.find(name);
    if (have == actual.netns.end()) {
      continue;
    }
    if (name != model::kHostNode && have->second.owner.empty()) {
      have->second.owner = desired.lab;
      have->second.adopt_mark = true;
      out.adopted.push_back("namespace " + name);
    }
    for (const auto& [ifname, want_link] : want.links) {
      const auto link = have->second.links.find(ifname);
      if (link == have->second.links.end() || !link->second.owner.empty()) {
        continue;
      }
      const IfRef ref{name, ifname};
      if (const auto why = mismatch(want_link, link->second); !why.empty()) {
        out.refused.push_back(fmt::format("interface {}: {}; not adopted", ref.str(), why));
        continue;
      }
      out.adopted.push_back(fmt::format("interface {} ({})", ref.str(), toString(want_link.kind)));
      if (want_link.kind == LinkKind::kOvsInternal) {
        continue;  // marked through its OVSDB row, see above
      }
      link->second.owner = desired.lab;
      link->second.adopt_mark = true;
    }
    if (have->second.owner == desired.lab || name == model::kHostNode) {
      adoptRoutes(name, want, have->second, out);
    }
  }
  // Unmarked routes of the namespaces the file does not have, or that belong to another lab,
  // are none of this lab's business.
  for (auto& [name, have] : actual.netns) {
    const auto want = desired.netns.find(name);
    if (want == desired.netns.end() || (have.owner != desired.lab && name != model::kHostNode)) {
      std::erase_if(have.routes,
                    [](const auto& entry) { return entry.second.protocol != kRouteProtocol; });
    }
  }
  for (const auto& [name, want] : desired.ovs_bridges) {
    const auto have = actual.ovs_bridges.find(name);
    if (have == actual.ovs_bridges.end()) {
      continue;
    }
    if (have->second.owner.empty()) {
      have->second.owner = desired.lab;
      have->second.adopt_mark = true;
      out.adopted.push_back("Open vSwitch bridge " + name);
    }
    if (have->second.owner != desired.lab) {
      continue;
    }
    for (const auto& [port_name, want_port] : want.ports) {
      const auto port = have->second.ports.find(port_name);
      if (port == have->second.ports.end() || !port->second.owner.empty()) {
        continue;
      }
      if (port->second.internal != want_port.internal) {
        out.refused.push_back(fmt::format(
            "Open vSwitch port {}:{}: the file asks for {} port, it is {} one; not adopted", name,
            port_name, want_port.internal ? "an internal" : "a system",
            port->second.internal ? "an internal" : "a system"));
        continue;
      }
      port->second.owner = desired.lab;
      port->second.adopt_mark = true;
      out.adopted.push_back(fmt::format("Open vSwitch port {}:{}", name, port_name));
    }
  }
  return out;
}

}  // namespace nstopo::state
