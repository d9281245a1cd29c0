// SPDX-License-Identifier: Apache-2.0
#include "support/fake_driver.h"

#include <sys/socket.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "nstopo/core/overloaded.h"
#include "nstopo/model/topology.h"

#include "plan/renames.h"

namespace nstopo::testing {
namespace {

Status missing(const std::string& what) {
  return fail(ErrorKind::kKernel, what + ": No such device (ENODEV)", {}, 19);
}

}  // namespace

bool FakeDriver::handles(const plan::Action& /*action*/) const {
  return true;
}

Status FakeDriver::read(const state::ReadScope& scope, state::State& into) {
  for (const auto& [name, netns] : world.netns) {
    if (scope.all_named_netns || scope.netns.count(name) > 0) {
      into.netns[name] = netns;
      // Like the kernel reader: another protocol's routes only when asked for.
      if (!scope.unmarked_routes) {
        std::erase_if(into.netns[name].routes, [](const auto& entry) {
          return entry.second.protocol != state::kRouteProtocol;
        });
      }
      // Like the kernel: `bond_primary` here is the name the bond recorded, reported only while
      // a member of that name is enslaved to it (IFLA_BOND_PRIMARY names an enslaved member).
      for (auto& [ifname, link] : into.netns[name].links) {
        const auto member = netns.links.find(link.bond_primary);
        if (member == netns.links.end() || member->second.master != ifname) {
          link.bond_primary.clear();
        }
      }
    }
  }
  // The capability probe: a qdisc kind `world` lacks is reported when asked for.
  for (const auto& kind : scope.qdisc_kinds) {
    if (world.unsupported_qdiscs.count(kind) > 0) {
      into.unsupported_qdiscs.insert(kind);
    }
  }
  into.ovs_bridges = world.ovs_bridges;
  into.ovs_auto_datapath = world.ovs_auto_datapath;
  return {};
}

std::vector<Status> FakeDriver::apply(std::span<const plan::Action* const> batch) {
  std::vector<Status> results;
  for (const auto* action : batch) {
    const std::size_t index = calls++;
    if (fail_at && *fail_at == index) {
      results.emplace_back(fail(ErrorKind::kKernel, "injected failure", {}, 5));
      continue;
    }
    results.push_back(applyOne(*action));
    if (results.back()) {
      log.push_back(plan::describe(*action));
    }
  }
  return results;
}

Status FakeDriver::applyOne(const plan::Action& action) {
  auto link_of = [&](const state::IfRef& ref) -> state::LinkState* {
    auto netns = world.netns.find(ref.netns);
    if (netns == world.netns.end()) {
      return nullptr;
    }
    auto link = netns->second.links.find(ref.name);
    return link == netns->second.links.end() ? nullptr : &link->second;
  };
  auto make_end = [&](const plan::VethEnd& end, const state::IfRef& peer,
                      const std::string& lab) -> Status {
    if (world.netns.count(end.ref.netns) == 0 && end.ref.netns != "host") {
      return missing("netns " + end.ref.netns);
    }
    // Like the kernel, which opens a new link before it sets its master: a bond enslaves only a
    // link that is down.
    const auto* master =
        end.master.empty() ? nullptr : link_of(state::IfRef{end.ref.netns, end.master});
    const bool bond_master = master != nullptr && master->kind == model::LinkKind::kBond;
    if (bond_master && end.settings.up) {
      return fail(ErrorKind::kKernel, end.ref.str() + ": Device can not be enslaved while up", {},
                  1);
    }
    auto& link = world.netns[end.ref.netns].links[end.ref.name];
    link.name = end.ref.name;
    link.kind = state::LinkKind::kVeth;
    link.kind_name = "veth";
    link.peer = peer;
    link.owner = lab;
    link.master = end.master;
    link.mtu = end.settings.mtu.value_or(1500);
    link.mac = end.settings.mac.value_or("02:00:00:00:00:01");
    link.up = end.settings.up || bond_master;  // a bond opens the link it enslaves
    link.ipv6_link_local = end.settings.ipv6_link_local.value_or(true);
    return {};
  };
  return std::visit(
      Overloaded{
          [&](const plan::CreateNetns& a) -> Status {
            if (world.netns.count(a.netns) > 0) {
              return fail(ErrorKind::kKernel, "netns exists (EEXIST)", {}, 17);
            }
            auto& netns = world.netns[a.netns];
            netns.name = a.netns;
            netns.owner = a.lab;
            netns.loopback_up = a.loopback_up;
            return {};
          },
          [&](const plan::DeleteNetns& a) -> Status {
            world.netns.erase(a.netns);
            // Like the kernel: a veth whose other end lived there goes too.
            for (auto& [name, netns] : world.netns) {
              for (auto it = netns.links.begin(); it != netns.links.end();) {
                const bool orphan = it->second.peer && it->second.peer->netns == a.netns;
                it = orphan ? netns.links.erase(it) : std::next(it);
              }
            }
            return {};
          },
          [&](const plan::CreateBridge& a) -> Status {
            if (link_of(a.ref) != nullptr) {
              return fail(ErrorKind::kKernel, "exists (EEXIST)", {}, 17);
            }
            auto& link = world.netns[a.ref.netns].links[a.ref.name];
            link.name = a.ref.name;
            link.kind = state::LinkKind::kBridge;
            link.kind_name = "bridge";
            link.owner = a.lab;
            link.stp = a.stp;
            link.vlan_filtering = a.vlan_filtering;
            link.mtu = a.settings.mtu.value_or(1500);
            link.mac = a.settings.mac.value_or("02:00:00:00:00:02");
            link.up = a.settings.up;
            return {};
          },
          [&](const plan::CreateVeth& a) -> Status {
            if (link_of(a.a.ref) != nullptr || link_of(a.b.ref) != nullptr) {
              return fail(ErrorKind::kKernel, "exists (EEXIST)", {}, 17);
            }
            if (auto ok = make_end(a.a, a.b.ref, a.lab); !ok) {
              return ok;
            }
            if (auto ok = make_end(a.b, a.a.ref, a.lab); !ok) {
              world.netns[a.a.ref.netns].links.erase(a.a.ref.name);  // the pair goes as a whole
              return ok;
            }
            return {};
          },
          [&](const plan::CreateLink& a) -> Status {
            if (link_of(a.ref) != nullptr) {
              return fail(ErrorKind::kKernel, "exists (EEXIST)", {}, 17);
            }
            if (a.lower && link_of(*a.lower) == nullptr && a.lower->netns != "host") {
              return missing("parent " + a.lower->str());
            }
            auto& link = world.netns[a.ref.netns].links[a.ref.name];
            link.name = a.ref.name;
            link.kind = a.kind;
            link.kind_name = state::toString(a.kind);
            link.owner = a.lab;
            link.lower = a.lower;
            link.options = a.options;
            link.mtu = a.settings.mtu.value_or(1500);
            link.mac = a.settings.mac.value_or("02:00:00:00:00:03");
            link.up = a.settings.up;
            return {};
          },
          [&](const plan::DeleteLink& a) -> Status {
            auto* link = link_of(a.ref);
            if (link == nullptr) {
              return {};
            }
            const auto peer = link->peer;
            const bool bond = link->kind == model::LinkKind::kBond;
            world.netns[a.ref.netns].links.erase(a.ref.name);
            for (auto& [name, other] : world.netns[a.ref.netns].links) {
              if (other.master == a.ref.name) {
                other.master.clear();
                if (bond) {
                  other.up = false;  // released: the bond closes it
                }
              }
            }
            if (peer) {
              world.netns[peer->netns].links.erase(peer->name);
            }
            // Like the kernel: stacked links go with their parent, recursively.
            std::set<state::IfRef> removed{a.ref};
            if (peer) {
              removed.insert(*peer);
            }
            for (bool grew = true; grew;) {
              grew = false;
              for (auto& [netns_name, netns] : world.netns) {
                for (auto it = netns.links.begin(); it != netns.links.end();) {
                  if (it->second.lower && removed.count(*it->second.lower) > 0) {
                    removed.insert(state::IfRef{netns_name, it->first});
                    it = netns.links.erase(it);
                    grew = true;
                  } else {
                    ++it;
                  }
                }
              }
            }
            for (auto& [netns_name, netns] : world.netns) {
              for (auto it = netns.routes.begin(); it != netns.routes.end();) {
                const bool gone =
                    (netns_name == a.ref.netns && it->second.dev == a.ref.name) ||
                    (peer && netns_name == peer->netns && it->second.dev == peer->name);
                it = gone ? netns.routes.erase(it) : std::next(it);
              }
            }
            return {};
          },
          [&](const plan::SetLink& a) -> Status {
            if (a.ref.name == "lo") {
              if (world.netns.count(a.ref.netns) == 0) {
                return missing("lo");
              }
              world.netns[a.ref.netns].loopback_up = a.change.up.value_or(true);
              return {};
            }
            auto* link = link_of(a.ref);
            if (link == nullptr) {
              return missing(a.ref.str());
            }
            if (a.change.mtu) {
              link->mtu = a.change.mtu;
            }
            if (a.change.mac) {
              link->mac = a.change.mac;
            }
            if (a.change.up) {
              link->up = *a.change.up;
            }
            if (a.change.master) {
              // Like the kernel: a bond closes a member it releases, and enslaves only a link
              // that is down, which it opens.
              const auto* old_master = link_of(state::IfRef{a.ref.netns, link->master});
              if (old_master != nullptr && old_master->kind == model::LinkKind::kBond) {
                link->up = false;
              }
              const auto* new_master = a.change.master->empty()
                                           ? nullptr
                                           : link_of(state::IfRef{a.ref.netns, *a.change.master});
              if (new_master != nullptr && new_master->kind == model::LinkKind::kBond) {
                if (link->up) {
                  return fail(ErrorKind::kKernel, "Device can not be enslaved while up", {}, 1);
                }
                link->up = true;
              }
              link->master = *a.change.master;
            }
            if (a.change.stp) {
              link->stp = *a.change.stp;
            }
            if (a.change.vlan_filtering) {
              link->vlan_filtering = *a.change.vlan_filtering;
            }
            if (a.change.promisc) {
              link->promisc = *a.change.promisc;
            }
            if (a.change.tx_checksum) {
              link->tx_checksum = *a.change.tx_checksum;
            }
            if (a.change.ipv6_link_local) {
              link->ipv6_link_local = *a.change.ipv6_link_local;
            }
            if (a.change.bond_primary) {
              // Like the kernel: only a bond in a mode with a primary takes one; the netlink
              // driver names the member by its ifindex, so it must exist (enslaved or not: the
              // kernel then records its name).
              const auto* bond = std::get_if<model::BondOptions>(&link->options);
              if (bond == nullptr || !model::hasPrimary(bond->mode)) {
                return fail(ErrorKind::kKernel, "option primary: mode dependency failed", {}, 22);
              }
              if (!a.change.bond_primary->empty() &&
                  link_of(state::IfRef{a.ref.netns, *a.change.bond_primary}) == nullptr) {
                return missing(a.ref.netns + ":" + *a.change.bond_primary);
              }
              link->bond_primary = *a.change.bond_primary;
            }
            return {};
          },
          [&](const plan::AddAddress& a) -> Status {
            if (a.ref.name == "lo") {
              world.netns[a.ref.netns].loopback_addresses.insert(a.address);
              return {};
            }
            auto* link = link_of(a.ref);
            if (link == nullptr) {
              return missing(a.ref.str());
            }
            // Like the kernel: a second IPv4 address in a subnet is that subnet's secondary.
            const bool secondary = std::any_of(
                link->addresses.begin(), link->addresses.end(), [&](const IpAddress& other) {
                  return a.address.family == AF_INET && other.family == AF_INET &&
                         other.prefix_len == a.address.prefix_len &&
                         other.network() == a.address.network();
                });
            if (!link->addresses.insert(a.address).second) {
              return fail(ErrorKind::kKernel, "address exists (EEXIST)", {}, 17);
            }
            if (secondary) {
              link->secondary_addresses.insert(a.address);
            }
            return {};
          },
          [&](const plan::DeleteAddress& a) -> Status {
            if (a.ref.name == "lo") {
              world.netns[a.ref.netns].loopback_addresses.erase(a.address);
              return {};
            }
            if (auto* link = link_of(a.ref)) {
              link->addresses.erase(a.address);
              link->secondary_addresses.erase(a.address);
            }
            return {};
          },
          [&](const plan::AddVxlanPeer& a) -> Status {
            auto* link = link_of(a.ref);
            if (link == nullptr) {
              return missing(a.ref.str());
            }
            if (!link->fdb_peers.insert(a.peer).second) {
              return fail(ErrorKind::kKernel, "FDB entry exists (EEXIST)", {}, 17);
            }
            return {};
          },
          [&](const plan::DeleteVxlanPeer& a) -> Status {
            if (auto* link = link_of(a.ref)) {
              link->fdb_peers.erase(a.peer);
            }
            return {};
          },
          [&](const plan::SetImpairment& a) -> Status {
            auto* link = link_of(a.ref);
            if (link == nullptr) {
              return missing(a.ref.str());
            }
            // Like the kernel: the distribution table is kept but never reported back.
            link->impair = a.after;
            if (link->impair) {
              link->impair->distribution.reset();
              link->foreign_qdisc.clear();  // replaced at the root
            }
            return {};
          },
          [&](const plan::AddRoute& a) -> Status {
            auto& routes = world.netns[a.netns].routes;
            auto route = a.route;
            // Like the kernel: a gateway route goes out of the device whose subnet holds it.
            for (const auto& [name, link] : world.netns[a.netns].links) {
              for (const auto& address : link.addresses) {
                if (route.dev.empty() && route.via && address.contains(*route.via)) {
                  route.dev = name;
                }
              }
            }
            if (!route.dev.empty() && link_of(state::IfRef{a.netns, route.dev}) == nullptr) {
              return missing(a.netns + ":" + route.dev);  // like the kernel: no such device
            }
            if (!routes.emplace(route.key(), route).second) {
              return fail(ErrorKind::kKernel, "route exists (EEXIST)", {}, 17);
            }
            return {};
          },
          [&](const plan::DeleteRoute& a) -> Status {
            // Like the kernel: a route of another protocol is not the one asked for.
            auto& routes = world.netns[a.netns].routes;
            const auto it = routes.find(a.route.key());
            if (it != routes.end() && it->second.protocol == a.route.protocol) {
              routes.erase(it);
            }
            return {};
          },
          [&](const plan::MarkRoute& a) -> Status {
            auto& routes = world.netns[a.netns].routes;
            const auto it = routes.find(a.route.key());
            if (it == routes.end()) {
              return missing(a.netns + ": route " + a.route.str());  // like NLM_F_REPLACE alone
            }
            it->second.protocol = a.protocol;
            return {};
          },
          [&](const plan::SetSysctl& a) -> Status {
            world.netns[a.netns].sysctls[a.key] = a.value;
            return {};
          },
          [&](const plan::CreateOvsBridge& a) -> Status {
            if (world.ovs_bridges.count(a.bridge.name) > 0) {
              return fail(ErrorKind::kOvsdb, "bridge exists", {}, 0);
            }
            world.ovs_bridges[a.bridge.name] = a.bridge;
            world.ovs_bridges[a.bridge.name].owner = a.lab;
            return {};
          },
          [&](const plan::DeleteOvsBridge& a) -> Status {
            // Its internal ports' devices go with it, wherever they were moved.
            for (const auto& [name, port] : world.ovs_bridges[a.before.name].ports) {
              if (port.internal) {
                dropInternalDevice(name);
              }
            }
            world.ovs_bridges.erase(a.before.name);
            return {};
          },
          [&](const plan::SetOvsBridge& a) -> Status {
            auto& bridge = world.ovs_bridges[a.after->name];
            bridge.datapath = a.after->datapath;
            bridge.fail_mode = a.after->fail_mode;
            bridge.protocols = a.after->protocols;
            bridge.external_ids = a.after->external_ids;
            return {};
          },
          [&](const plan::AddOvsPort& a) -> Status {
            if (world.ovs_bridges.count(a.bridge) == 0) {
              return fail(ErrorKind::kOvsdb, "no bridge " + a.bridge, {}, 0);
            }
            auto& bridge = world.ovs_bridges[a.bridge];
            auto port = a.port;
            port.owner = a.lab;
            bridge.ports[port.name] = port;
            if (port.internal) {  // vswitchd makes the device in the host, with a new MAC
              auto& link = world.netns["host"].links[port.name];
              link.name = port.name;
              link.kind = state::LinkKind::kOther;
              link.kind_name = "tun";
              link.mtu = 1500;
              link.mac = fmt::format("02:00:00:00:ff:{:02x}", ++internal_devices_made_ % 256);
            }
            return {};
          },
          [&](const plan::DeleteOvsPort& a) -> Status {
            world.ovs_bridges[a.bridge].ports.erase(a.before.name);
            if (a.before.internal) {
              dropInternalDevice(a.before.name);
            }
            return {};
          },
          [&](const plan::SetOvsPort& a) -> Status {
            auto& port = world.ovs_bridges[a.bridge].ports[a.after->name];
            port.tag = a.after->tag;
            port.trunks = a.after->trunks;
            port.external_ids = a.after->external_ids;
            return {};
          },
          [&](const plan::MoveLink& a) -> Status {
            auto* link = link_of(a.from);
            if (link == nullptr && a.from.name == "lo" && a.from.netns == a.to_netns &&
                world.netns.count(a.from.netns) > 0) {
              world.netns[a.from.netns].owner = a.lab;  // a namespace's mark sits on its lo
              return {};
            }
            if (link == nullptr) {
              return missing(a.from.str());
            }
            state::LinkState moved = *link;
            world.netns[a.from.netns].links.erase(a.from.name);
            moved.owner = a.lab;
            moved.up = a.up;
            world.netns[a.to_netns].links[a.from.name] = moved;
            return {};
          },
          [&](const plan::RenameLink& a) -> Status {
            if (link_of(a.from) == nullptr) {
              return missing(a.from.str());
            }
            if (link_of(state::IfRef{a.from.netns, a.to}) != nullptr) {
              return fail(ErrorKind::kKernel, a.to + " exists", {}, 17);
            }
            (void)plan::renameInState(world, a.from, a.to);
            return {};
          },
      },
      action);
}

void FakeDriver::dropInternalDevice(const std::string& name) {
  for (auto& [netns_name, netns] : world.netns) {
    if (netns.links.erase(name) > 0) {
      std::erase_if(netns.routes, [&](const auto& route) { return route.second.dev == name; });
      for (auto& [other_name, other] : netns.links) {
        if (other.master == name) {
          other.master.clear();
        }
      }
    }
  }
}

}  // namespace nstopo::testing
