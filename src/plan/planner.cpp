// SPDX-License-Identifier: Apache-2.0
#include "nstopo/plan/planner.h"

#include <sys/socket.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "nstopo/model/topology.h"

#include "renames.h"
#include "step_order.h"

namespace nstopo::plan {
namespace {

using state::IfRef;
using state::LinkKind;
using state::LinkState;
using state::NetnsState;
using state::RouteState;
using state::State;

const std::string kHost = model::kHostNode;

/// Whether an unmarked device is the one vswitchd made for one of the lab's internal ports, left
/// without its mark by a run killed between moving it and marking it. Only the lab's own OVSDB
/// row vouches for it (the mark of an internal port lives there too), and only a device of the
/// kinds vswitchd creates, in the namespace where the file wants that port (the lab's own, or
/// the host), while no device of that name is left in the host: otherwise the port's device is
/// that one, and a same-named device elsewhere is someone else's and stays foreign.
bool unmarkedInternalDevice(const State& actual, const State& desired,
                            const std::string& netns_name, const LinkState& link) {
  if (!link.owner.empty() || (link.kind_name != "tun" && link.kind_name != "openvswitch")) {
    return false;
  }
  const auto want_netns = desired.netns.find(netns_name);
  if (want_netns == desired.netns.end()) {
    return false;
  }
  const auto want = want_netns->second.links.find(link.name);
  if (want == want_netns->second.links.end() || want->second.kind != LinkKind::kOvsInternal) {
    return false;
  }
  const auto bridge = actual.ovs_bridges.find(want->second.ovs_bridge);
  if (bridge == actual.ovs_bridges.end() || bridge->second.owner != desired.lab) {
    return false;
  }
  const auto port = bridge->second.ports.find(link.name);
  if (port == bridge->second.ports.end() || !port->second.internal ||
      port->second.owner != desired.lab) {
    return false;
  }
  if (netns_name == kHost) {
    return true;
  }
  const auto netns = actual.netns.find(netns_name);
  const auto host = actual.netns.find(kHost);
  return netns != actual.netns.end() && netns->second.owner == desired.lab &&
         (host == actual.netns.end() || host->second.links.count(link.name) == 0);
}

/// The kernel reports an OVS internal port as a "tun" or "openvswitch" device; give it the kind
/// the file uses when OVSDB knows it as one of the lab's internal ports. An unmarked device that
/// is one of the lab's (see unmarkedInternalDevice) is adopted: the planner then only marks it.
State normalized(const State& actual, const State& desired) {
  State out = actual;
  std::map<std::string, std::string> internal_ports;  // name -> bridge
  for (const auto& [name, bridge] : out.ovs_bridges) {
    for (const auto& [port_name, port] : bridge.ports) {
      if (port.internal && !port.owner.empty()) {
        internal_ports[port_name] = name;
      }
    }
  }
  for (auto& [netns_name, netns] : out.netns) {
    for (auto& [name, link] : netns.links) {
      const auto it = internal_ports.find(name);
      if (it != internal_ports.end() && !state::isStacked(link.kind) &&
          link.kind != LinkKind::kVeth && link.kind != LinkKind::kBridge) {
        if (unmarkedInternalDevice(actual, desired, netns_name, link)) {
          link.owner = desired.lab;
          link.adopted = true;
        }
        link.kind = LinkKind::kOvsInternal;
        link.kind_name = "ovs-internal";
        link.ovs_bridge = it->second;
      }
    }
  }
  return out;
}

class Planner {
 public:
  Planner(const State& desired, const State& actual)
      : desired_(desired), actual_storage_(normalized(actual, desired)), actual_(actual_storage_) {
    result_.plan.lab = desired.lab;
    // Everything after the renames sees the machine as it is once they ran.
    renames_ = renameInPlace(desired_, actual_storage_);
  }

  PlanResult run() {
    for (auto& rename : renames_) {
      add(Phase::kRenameLinks, Change::kUpdate, std::move(rename.action), rename.origin);
    }
    planOvs();
    planNamespaces();
    planLinkDeletions();
    planLinkCreations();
    planAdoptionMarks();
    readdRebuiltOvsPorts();
    releaseGoingPrimaries();
    planLinkChanges();
    planLoopbacks();
    planRoutes();
    planSysctls();
    orderSteps(result_.plan.steps);
    return std::move(result_);
  }

 private:
  void add(Phase phase, Change change, Action action, SourceLoc origin = {}) {
    result_.plan.steps.push_back(Step{phase, change, std::move(action), std::move(origin)});
  }

  void conflict(const SourceLoc& where, std::string message) {
    result_.conflicts.push_back(Error{ErrorKind::kConflict, std::move(message), where, 0});
  }

  [[nodiscard]] std::string ownerText(const std::string& owner) const {
    return owner.empty() ? std::string("it carries no nstopo mark (created by someone else)")
                         : fmt::format("it belongs to lab '{}'", owner);
  }

  [[nodiscard]] const NetnsState* actualNetns(const std::string& name) const {
    const auto it = actual_.netns.find(name);
    return it == actual_.netns.end() ? nullptr : &it->second;
  }

  [[nodiscard]] const LinkState* actualLink(const IfRef& ref) const {
    const auto* netns = actualNetns(ref.netns);
    if (netns == nullptr) {
      return nullptr;
    }
    const auto it = netns->links.find(ref.name);
    return it == netns->links.end() ? nullptr : &it->second;
  }

  [[nodiscard]] const LinkState* desiredLink(const IfRef& ref) const {
    const auto netns = desired_.netns.find(ref.netns);
    if (netns == desired_.netns.end()) {
      return nullptr;
    }
    const auto it = netns->second.links.find(ref.name);
    return it == netns->second.links.end() ? nullptr : &it->second;
  }

  [[nodiscard]] bool ours(const LinkState& link) const { return link.owner == desired_.lab; }

  [[nodiscard]] bool survives(const IfRef& ref) const {
    const auto* link = actualLink(ref);
    return link != nullptr && deleted_.count(ref) == 0 && removed_netns_.count(ref.netns) == 0;
  }

  static bool needsReplace(const LinkState& want, const LinkState& have) {
    if (want.kind != have.kind) {
      return true;
    }
    // The kernel cannot change these on a live link: a new peer, parent, mode or id is a new
    // link.
    switch (model::shapeOf(want.kind)) {
      case model::LinkShape::kPair:
        return want.peer != have.peer;
      case model::LinkShape::kStacked:
        return want.lower != have.lower || want.options != have.options;
      case model::LinkShape::kStandalone:
        return want.options != have.options;
      case model::LinkShape::kOvsPort:
      case model::LinkShape::kBridge:
      case model::LinkShape::kForeign:
        return false;
    }
    return false;
  }

  /// A veth end made as a bridge's port without an IPv6 link-local address that is no port in
  /// the file any more: the kernel makes the address only when a link comes up, so the link is
  /// rebuilt rather than switched back in place. (An end that never was a port and has none, as
  /// a namespace's addr_gen_mode sysctl may make it, is left alone.)
  [[nodiscard]] bool regainsLinkLocal(const IfRef& ref, const LinkState& want,
                                      const LinkState& have) const {
    if (model::shapeOf(want.kind) != model::LinkShape::kPair || have.ipv6_link_local != false ||
        want.ipv6_link_local == false) {
      return false;
    }
    return !have.master.empty() || isActualOvsPort(ref);
  }

  [[nodiscard]] bool isActualOvsPort(const IfRef& ref) const {
    if (ref.netns != kHost) {
      return false;
    }
    return std::any_of(actual_.ovs_bridges.begin(), actual_.ovs_bridges.end(),
                       [&](const auto& bridge) { return bridge.second.ports.count(ref.name) > 0; });
  }

  /// How many stacked links sit below this one (0 for a veth, bridge or device).
  [[nodiscard]] int actualDepth(const LinkState& link) const {
    int depth = 0;
    const LinkState* cursor = &link;
    while (cursor != nullptr && state::isStacked(cursor->kind) && cursor->lower && depth < 8) {
      ++depth;
      cursor = actualLink(*cursor->lower);
    }
    return depth;
  }

  [[nodiscard]] int desiredDepth(const LinkState& link) const {
    int depth = 0;
    const LinkState* cursor = &link;
    while (cursor != nullptr && state::isStacked(cursor->kind) && cursor->lower && depth < 8) {
      ++depth;
      cursor = desiredLink(*cursor->lower);
    }
    return depth;
  }

  [[nodiscard]] std::string resolvedDatapath(const std::string& datapath) const {
    return datapath == "auto" ? actual_.ovs_auto_datapath : datapath;
  }

  /// The userspace datapath cannot fill in checksums that a veth leaves to offload: TCP over such
  /// a port fails until TX checksum offload is off on both veth ends.
  [[nodiscard]] bool wantsTxChecksumOff(const IfRef& ref, const LinkState& want) const {
    if (want.kind != LinkKind::kVeth || !want.peer) {
      return false;
    }
    auto on_netdev = [&](const LinkState* end) {
      if (end == nullptr || end->ovs_bridge.empty()) {
        return false;
      }
      const auto bridge = desired_.ovs_bridges.find(end->ovs_bridge);
      return bridge != desired_.ovs_bridges.end() &&
             resolvedDatapath(bridge->second.datapath) == "netdev";
    };
    (void)ref;
    return on_netdev(&want) || on_netdev(desiredLink(*want.peer));
  }

  /// After vswitchd restarts on the userspace datapath, an internal port comes back in the host
  /// while the old device lingers in the lab namespace: that one is stale.
  [[nodiscard]] bool staleInternalPort(const IfRef& ref, const LinkState& want) const {
    if (want.kind != LinkKind::kOvsInternal || ref.netns == kHost) {
      return false;
    }
    const auto* in_host = actualLink(IfRef{kHost, ref.name});
    return in_host != nullptr && in_host->owner.empty();
  }

  /// The device of one of the lab's internal ports, wherever it was moved, with the routes the
  /// kernel deletes with it: a deletion of the port carries them so that its inverse can put the
  /// device back where it was (vswitchd recreates it in the host). A device that is not the
  /// lab's (say, one vswitchd just recreated in the host) is left to the port alone.
  [[nodiscard]] std::optional<InternalDevice> internalDevice(const state::OvsPortState& port) {
    if (!port.internal) {
      return std::nullopt;
    }
    for (const auto& [netns_name, netns] : actual_.netns) {
      const auto it = netns.links.find(port.name);
      if (it != netns.links.end() && it->second.kind == LinkKind::kOvsInternal &&
          ours(it->second)) {
        return InternalDevice{netns_name, it->second,
                              routesGoingWith(IfRef{netns_name, port.name})};
      }
    }
    return std::nullopt;
  }

  [[nodiscard]] DeleteOvsPort portDeletion(const std::string& bridge,
                                           const state::OvsPortState& port) {
    return DeleteOvsPort{bridge, port, desired_.lab, internalDevice(port)};
  }

  void planOvs() {
    // Port names are global in OVSDB: find who holds each one.
    std::map<std::string, std::pair<std::string, std::string>> holder;  // port -> bridge, owner
    for (const auto& [name, bridge] : actual_.ovs_bridges) {
      for (const auto& [port_name, port] : bridge.ports) {
        holder[port_name] = {name, port.owner};
      }
    }
    for (const auto& [name, want] : desired_.ovs_bridges) {
      const auto have = actual_.ovs_bridges.find(name);
      if (have != actual_.ovs_bridges.end() && have->second.owner != desired_.lab) {
        conflict(want.origin, fmt::format("OVS bridge '{}' already exists and {}; nstopo will not "
                                          "change it",
                                          name, ownerText(have->second.owner)));
        continue;
      }
      for (const auto& [port_name, port] : want.ports) {
        const auto it = holder.find(port_name);
        if (it != holder.end() && (it->second.second != desired_.lab || it->second.first != name)) {
          if (it->second.second != desired_.lab) {
            conflict(port.origin,
                     fmt::format("OVS port '{}' already exists on bridge '{}' and {}; "
                                 "nstopo will not change it",
                                 port_name, it->second.first, ownerText(it->second.second)));
          }
        }
      }
      state::OvsBridgeState resolved = want;
      resolved.datapath = resolvedDatapath(want.datapath);
      if (have == actual_.ovs_bridges.end()) {
        state::OvsBridgeState bare = resolved;
        bare.ports.clear();
        add(Phase::kOvs, Change::kCreate, CreateOvsBridge{bare, desired_.lab}, want.origin);
        for (const auto& [port_name, port] : want.ports) {
          add(Phase::kOvs, Change::kCreate, AddOvsPort{name, port, desired_.lab}, port.origin);
        }
        continue;
      }
      const auto& current = have->second;
      const bool datapath_differs = want.datapath != "auto" && want.datapath != current.datapath;
      if (datapath_differs || want.fail_mode != current.fail_mode ||
          want.protocols != current.protocols || want.external_ids != current.external_ids) {
        state::OvsBridgeState after = resolved;
        after.datapath = datapath_differs ? resolved.datapath : current.datapath;
        after.ports.clear();
        state::OvsBridgeState before = current;
        before.ports.clear();
        add(Phase::kOvs, Change::kUpdate, SetOvsBridge{after, before}, want.origin);
      }
      for (const auto& [port_name, port] : current.ports) {
        if (port.owner == desired_.lab && want.ports.count(port_name) == 0) {
          add(Phase::kOvsRemovals, Change::kDelete, portDeletion(name, port));
        }
      }
      for (const auto& [port_name, port] : want.ports) {
        const auto got = current.ports.find(port_name);
        if (got == current.ports.end()) {
          if (holder.count(port_name) == 0 || holder.at(port_name).second == desired_.lab) {
            add(Phase::kOvs, Change::kCreate, AddOvsPort{name, port, desired_.lab}, port.origin);
          }
          continue;
        }
        if (got->second.owner != desired_.lab) {
          continue;  // reported as a conflict above
        }
        if (got->second.internal != port.internal) {
          add(Phase::kOvsRemovals, Change::kDelete, portDeletion(name, got->second));
          add(Phase::kOvs, Change::kCreate, AddOvsPort{name, port, desired_.lab}, port.origin);
          continue;
        }
        if (port.tag != got->second.tag || port.trunks != got->second.trunks ||
            port.external_ids != got->second.external_ids) {
          add(Phase::kOvs, Change::kUpdate, SetOvsPort{name, port, got->second}, port.origin);
        }
      }
    }
    for (const auto& [name, have] : actual_.ovs_bridges) {
      if (have.owner == desired_.lab && desired_.ovs_bridges.count(name) == 0) {
        DeleteOvsBridge deletion{have, desired_.lab, {}};
        for (const auto& [port_name, port] : have.ports) {
          if (auto device = internalDevice(port)) {
            deletion.devices.push_back(std::move(*device));
          }
        }
        add(Phase::kOvsRemovals, Change::kDelete, std::move(deletion));
      }
    }
  }

  /// Objects `apply --adopt` took over (state/adopt.h) get the lab's mark where they are: the
  /// namespace on its loopback, a link with the other end or parent its mark names, OVS rows in
  /// their external_ids. Each is an update whose inverse takes the mark off again.
  void planAdoptionMarks() {
    for (const auto& [name, have] : actual_.netns) {
      const auto want = desired_.netns.find(name);
      if (have.adopt_mark && want != desired_.netns.end()) {
        // A namespace's mark sits on its loopback. The mark keeps the state the device has
        // (so its inverse does too); planLoopbacks and planLinkChanges bring it in line.
        add(Phase::kMoveLinks, Change::kUpdate,
            MoveLink{IfRef{name, "lo"}, name, desired_.lab, have.loopback_up, "", {}});
      }
      for (const auto& [link_name, link] : have.links) {
        const IfRef ref{name, link_name};
        if (!link.adopt_mark || deleted_.count(ref) > 0) {
          continue;
        }
        const auto& mark_peer = link.kind == LinkKind::kVeth ? link.peer : link.lower;
        add(Phase::kMoveLinks, Change::kUpdate,
            MoveLink{ref, name, desired_.lab, link.up, "", mark_peer});
      }
    }
    for (const auto& [name, have] : actual_.ovs_bridges) {
      if (have.adopt_mark) {
        state::OvsBridgeState before = have;
        before.owner.clear();
        before.ports.clear();
        state::OvsBridgeState after = before;
        after.owner = desired_.lab;
        add(Phase::kOvs, Change::kUpdate, SetOvsBridge{after, before});
      }
      for (const auto& [port_name, port] : have.ports) {
        if (port.adopt_mark) {
          state::OvsPortState before = port;
          before.owner.clear();
          add(Phase::kOvs, Change::kUpdate, SetOvsPort{name, port, before});
        }
      }
    }
  }

  /// A veth whose kernel device is rebuilt must be re-added to its OVS port: the userspace
  /// datapath does not notice a device that disappeared and came back (ovs-issues #313).
  void readdRebuiltOvsPorts() {
    for (const auto& [name, want] : desired_.ovs_bridges) {
      const auto have = actual_.ovs_bridges.find(name);
      if (have == actual_.ovs_bridges.end() || have->second.owner != desired_.lab) {
        continue;
      }
      for (const auto& [port_name, port] : want.ports) {
        const auto got = have->second.ports.find(port_name);
        const IfRef device{kHost, port_name};
        if (!port.internal && got != have->second.ports.end() &&
            got->second.owner == desired_.lab && created_.count(device) > 0) {
          add(Phase::kOvsRemovals, Change::kDelete, portDeletion(name, got->second));
          add(Phase::kOvs, Change::kCreate, AddOvsPort{name, port, desired_.lab}, port.origin);
        }
      }
    }
  }

  void planNamespaces() {
    for (const auto& [name, want] : desired_.netns) {
      if (name == kHost) {
        continue;
      }
      const auto* have = actualNetns(name);
      if (have == nullptr) {
        add(Phase::kCreateNetns, Change::kCreate, CreateNetns{name, desired_.lab, want.loopback_up},
            want.origin);
      } else if (have->owner != desired_.lab) {
        conflicted_netns_.insert(name);
        conflict(want.origin, fmt::format("namespace '{}' already exists and {}; nstopo will not "
                                          "change it",
                                          name, ownerText(have->owner)));
      }
    }
    // A file the lab's record names and a killed run emptied: creating the namespace takes it
    // over; otherwise it goes.
    for (const auto& name : actual_.leftover_netns_files) {
      if (desired_.netns.count(name) == 0) {
        add(Phase::kDeleteNetns, Change::kDelete, DeleteNetns{name, desired_.lab, true, true});
      }
    }
    for (const auto& [name, have] : actual_.netns) {
      if (name != kHost && have.owner == desired_.lab && desired_.netns.count(name) == 0) {
        removed_netns_.insert(name);
        add(Phase::kDeleteNetns, Change::kDelete,
            DeleteNetns{name, desired_.lab, have.loopback_up});
      }
    }
  }

  /// The lab's interfaces that `master` (a bridge or a VRF) enslaves and that outlive it: the
  /// kernel releases them when it goes, so its deletion remembers them for its inverse.
  [[nodiscard]] std::vector<std::string> portsOutliving(const IfRef& master) const {
    std::vector<std::string> ports;
    const auto* netns = actualNetns(master.netns);
    if (netns == nullptr) {
      return ports;
    }
    for (const auto& [name, link] : netns->links) {
      const IfRef port{master.netns, name};
      if (link.master == master.name && ours(link) &&
          (deleted_.count(port) == 0 || left_to_kernel_.count(port) > 0)) {
        ports.push_back(name);
      }
    }
    return ports;
  }

  /// The routes through a link that goes: the kernel deletes them with it, so they get no step
  /// of their own; the deletion keeps them for its inverse (also in a namespace that goes: a
  /// failed run may have to rebuild the link there), and planRoutes adds back those the file
  /// still wants.
  [[nodiscard]] std::vector<RouteIn> routesGoingWith(const IfRef& ref) {
    std::vector<RouteIn> routes;
    const auto* netns = actualNetns(ref.netns);
    if (netns == nullptr) {
      return routes;
    }
    for (const auto& [key, route] : netns->routes) {
      if (route.dev == ref.name && dropped_routes_.insert(ref.netns + "|" + key).second) {
        routes.push_back(RouteIn{ref.netns, route});
      }
    }
    return routes;
  }

  /// Whether a doomed link goes only because its namespace does. A veth with an end outside
  /// must go explicitly, or that end would linger until the namespace is cleaned up; and so
  /// must a macvlan, ipvlan or VLAN link whose parent goes explicitly, because the kernel takes
  /// it along with that parent before the namespace goes, and a rollback must rebuild it.
  [[nodiscard]] bool goesWithItsNamespace(const IfRef& ref) const {
    const auto* link = actualLink(ref);
    if (link == nullptr || removed_netns_.count(ref.netns) == 0) {
      return false;
    }
    if (link->peer && removed_netns_.count(link->peer->netns) == 0 &&
        left_to_kernel_.count(*link->peer) == 0) {
      return false;
    }
    // The kernel keeps stacks acyclic, so following parents ends.
    if (state::isStacked(link->kind) && link->lower && actualLink(*link->lower) != nullptr) {
      return goesWithItsNamespace(*link->lower);
    }
    return true;
  }

  /// The end that stays of a doomed veth between a namespace that goes and one that stays, when
  /// the kernel may delete it along with the namespace that goes: it carries no address or
  /// route, is no OVS port, and the file gives its name to no other link there. The kernel then
  /// deletes it in one batch with that namespace's devices, once the plan's last phase has
  /// deleted the namespace; deleting it first cost 23 of the 41 s of the star of 10,000's
  /// destroy (docs/performance.md). Returns the end that stays and the namespace that goes.
  [[nodiscard]] std::optional<std::pair<IfRef, std::string>> endLeftToTheKernel(
      const IfRef& ref, const LinkState& have) const {
    if (have.kind != LinkKind::kVeth || !have.peer) {
      return std::nullopt;
    }
    const bool here_goes = removed_netns_.count(ref.netns) > 0;
    if (here_goes == (removed_netns_.count(have.peer->netns) > 0)) {
      return std::nullopt;
    }
    const IfRef stays = here_goes ? *have.peer : ref;
    const std::string& goes = here_goes ? ref.netns : have.peer->netns;
    const auto* end = actualLink(stays);
    if (end == nullptr || !ours(*end) || !end->addresses.empty() ||
        routed_devices_.count(stays) > 0 || desiredLink(stays) != nullptr ||
        isActualOvsPort(stays)) {
      return std::nullopt;
    }
    return std::make_pair(stays, goes);
  }

  void planLinkDeletions() {
    for (const auto& [netns_name, netns] : actual_.netns) {
      for (const auto& [key, route] : netns.routes) {
        routed_devices_.insert(IfRef{netns_name, route.dev});
      }
    }
    // Which owned links go: undesired, in need of a rebuild, or in a namespace that goes.
    std::vector<IfRef> doomed;
    for (const auto& [netns_name, netns] : actual_.netns) {
      if (conflicted_netns_.count(netns_name) > 0) {
        continue;
      }
      for (const auto& [link_name, have] : netns.links) {
        const IfRef ref{netns_name, link_name};
        if (!ours(have) || deleted_.count(ref) > 0) {
          continue;
        }
        const auto* want = removed_netns_.count(netns_name) > 0 ? nullptr : desiredLink(ref);
        if (have.kind == LinkKind::kOvsInternal && want == nullptr) {
          continue;  // deleting its OVS port removes it
        }
        // A link adopted from the journal carries no mark yet: rebuilding it is what marks it.
        // An adopted internal port's device cannot be rebuilt (vswitchd owns it): it is marked
        // in place (planLinkCreations).
        const bool rebuild_to_mark = have.adopted && have.kind != LinkKind::kOvsInternal;
        if (want != nullptr && !rebuild_to_mark && !needsReplace(*want, have) &&
            !staleInternalPort(ref, *want) && !regainsLinkLocal(ref, *want, have)) {
          continue;
        }
        doomed.push_back(ref);
        deleted_.insert(ref);
        if (have.peer) {
          deleted_.insert(*have.peer);
        }
      }
    }
    // The kernel takes macvlan/ipvlan/vlan links down with their parent: plan that explicitly,
    // so they are rebuilt and a rollback restores them.
    for (bool grew = true; grew;) {
      grew = false;
      for (const auto& [netns_name, netns] : actual_.netns) {
        for (const auto& [link_name, have] : netns.links) {
          const IfRef ref{netns_name, link_name};
          if (ours(have) && deleted_.count(ref) == 0 && have.lower &&
              deleted_.count(*have.lower) > 0) {
            doomed.push_back(ref);
            deleted_.insert(ref);
            grew = true;
          }
        }
      }
    }
    // Upper links first: undoing in reverse then rebuilds parents before their children.
    std::stable_sort(doomed.begin(), doomed.end(), [&](const IfRef& a, const IfRef& b) {
      return actualDepth(*actualLink(a)) > actualDepth(*actualLink(b));
    });
    // Before any bridge's deletion is planned: the ports that outlive it include these.
    std::map<std::string, std::vector<IfRef>> taken_along;  // by the namespace that goes
    for (const auto& ref : doomed) {
      if (const auto along = endLeftToTheKernel(ref, *actualLink(ref))) {
        if (left_to_kernel_.insert(along->first).second) {
          taken_along[along->second].push_back(along->first);
        }
      }
    }
    for (auto& step : result_.plan.steps) {
      if (auto* deletion = std::get_if<DeleteNetns>(&step.action)) {
        if (const auto it = taken_along.find(deletion->netns); it != taken_along.end()) {
          deletion->takes_along = std::move(it->second);
        }
      }
    }
    std::set<IfRef> emitted;
    for (const auto& ref : doomed) {
      const auto& have = *actualLink(ref);
      if (emitted.count(ref) > 0) {
        continue;  // went with its veth peer
      }
      // Links that live and die with removed namespaces need no request of their own: the
      // kernel unregisters a whole namespace's devices in one batch (one RCU grace period),
      // while deleting them first costs one per namespace.
      if (goesWithItsNamespace(ref) || left_to_kernel_.count(ref) > 0 ||
          (have.peer && left_to_kernel_.count(*have.peer) > 0)) {
        emitted.insert(ref);
        if (have.peer) {
          emitted.insert(*have.peer);
        }
        continue;
      }
      // Delete a veth from its host end when it has one: a star's ends then go in one batch.
      const LinkState* peer = have.peer ? actualLink(*have.peer) : nullptr;
      const bool flip = peer != nullptr && have.peer->netns == kHost && ref.netns != kHost;
      const IfRef target = flip ? *have.peer : ref;
      emitted.insert(ref);
      DeleteLink action{target,       desired_.lab,         flip ? *peer : have,
                        std::nullopt, routesGoingWith(ref), portsOutliving(ref)};
      if (have.peer) {
        emitted.insert(*have.peer);
        for (auto& route : routesGoingWith(*have.peer)) {
          action.routes_before.push_back(std::move(route));
        }
        if (peer != nullptr) {
          action.peer_before = flip ? have : *peer;
        }
      }
      // A master goes after its ports that go: a rollback, which runs backwards, then rebuilds
      // it before the ports that are created with it as their master.
      const Phase phase = have.kind == LinkKind::kBridge || have.kind == LinkKind::kVrf ||
                                  have.kind == LinkKind::kBond
                              ? Phase::kDeleteBridges
                              : Phase::kDeleteLinks;
      add(phase, Change::kDelete, std::move(action));
    }
  }

  void planLinkCreations() {
    for (const auto& [netns_name, netns] : desired_.netns) {
      if (conflicted_netns_.count(netns_name) > 0) {
        continue;
      }
      for (const auto& [link_name, want] : netns.links) {
        const IfRef ref{netns_name, link_name};
        const auto* have = actualLink(ref);
        if (have != nullptr && !ours(*have)) {
          conflict(want.origin, fmt::format("interface '{}' already exists in namespace '{}' and "
                                            "{}; nstopo will not change it",
                                            link_name, netns_name, ownerText(have->owner)));
          continue;
        }
        if (have != nullptr && have->adopted && want.kind == LinkKind::kOvsInternal &&
            survives(ref)) {
          // The mark alone is missing; planLinkChanges brings the rest in line as for any of
          // the lab's links.
          add(Phase::kMoveLinks, Change::kUpdate,
              MoveLink{ref, ref.netns, desired_.lab, have->up, "", {}}, want.origin);
          continue;
        }
        if (survives(ref) || created_.count(ref) > 0) {
          continue;
        }
        switch (model::shapeOf(want.kind)) {
          case model::LinkShape::kStacked:
          case model::LinkShape::kStandalone:
            planSingleCreation(ref, want);
            break;
          case model::LinkShape::kOvsPort:
            // vswitchd makes the device in the host; nstopo moves (or just marks) it.
            created_.insert(ref);
            add(Phase::kMoveLinks, Change::kCreate,
                MoveLink{IfRef{kHost, ref.name}, ref.netns, desired_.lab, want.up, "", {}},
                want.origin);
            break;
          case model::LinkShape::kBridge:
            created_.insert(ref);
            add(Phase::kCreateBridges, Change::kCreate,
                CreateBridge{ref, desired_.lab, want.stp, want.vlan_filtering,
                             creationSettings(ref, want)},
                want.origin);
            break;
          case model::LinkShape::kPair:
            planPairCreation(ref, want);
            break;
          case model::LinkShape::kForeign:
            break;  // never desired
        }
      }
    }
  }

  void planPairCreation(const IfRef& ref, const LinkState& want) {
    const auto* peer_want = want.peer ? desiredLink(*want.peer) : nullptr;
    if (peer_want == nullptr) {
      return;  // the validator guarantees both ends; nothing sensible to do otherwise
    }
    const auto* peer_have = actualLink(*want.peer);
    if (peer_have != nullptr && !ours(*peer_have)) {
      return;  // reported when the loop reaches the peer
    }
    created_.insert(ref);
    created_.insert(*want.peer);
    VethEnd here{ref, bridgeMaster(ref, want), creationSettings(ref, want)};
    VethEnd there{*want.peer, bridgeMaster(*want.peer, *peer_want),
                  creationSettings(*want.peer, *peer_want)};
    // The end with a bridge is created from the bridge's namespace so the kernel can enslave
    // it in the same request.
    const bool swap = here.master.empty() && !there.master.empty();
    add(Phase::kCreateLinks, Change::kCreate,
        swap ? CreateVeth{there, here, desired_.lab} : CreateVeth{here, there, desired_.lab},
        want.origin);
  }

  /// A stacked link after its parent (kCreateStacked1-3 by depth), a standalone one with the
  /// veths, before anything can be stacked on it.
  void planSingleCreation(const IfRef& ref, const LinkState& want) {
    std::optional<IfRef> lower;
    Phase phase = Phase::kCreateLinks;
    if (state::isStacked(want.kind)) {
      lower = *want.lower;
      const bool lower_planned = desiredLink(*lower) != nullptr;
      const auto* lower_have = actualLink(*lower);
      if (!lower_planned && (lower_have == nullptr || deleted_.count(*lower) > 0)) {
        conflict(want.origin,
                 fmt::format("parent '{}' of {} '{}' does not exist in namespace '{}'", lower->name,
                             state::toString(want.kind), ref.str(), lower->netns));
        return;
      }
      if (refuseDuplicateVni(ref, want)) {
        return;
      }
      const int depth = desiredDepth(want);
      phase = depth <= 1   ? Phase::kCreateStacked1
              : depth == 2 ? Phase::kCreateStacked2
                           : Phase::kCreateStacked3;
    }
    created_.insert(ref);
    add(phase, Change::kCreate,
        CreateLink{.ref = ref,
                   .lower = lower,
                   .kind = want.kind,
                   .options = want.options,
                   .settings = creationSettings(ref, want),
                   .lab = desired_.lab},
        want.origin);
  }

  /// The kernel refuses a second VXLAN device with the same VNI and port over one underlay
  /// namespace, whoever made the first (another lab, by hand): the plan names both instead. The
  /// devices seen are those in the underlay's namespace (their socket is there unless they were
  /// moved in) and those whose confirmed underlay is in it, in every namespace the read covers.
  bool refuseDuplicateVni(const IfRef& ref, const LinkState& want) {
    const auto* mine = std::get_if<model::VxlanOptions>(&want.options);
    if (mine == nullptr || !want.lower) {
      return false;
    }
    const std::string& underlay_netns = want.lower->netns;
    for (const auto& [netns_name, netns] : actual_.netns) {
      for (const auto& [name, have] : netns.links) {
        const auto* theirs = std::get_if<model::VxlanOptions>(&have.options);
        const IfRef other{netns_name, name};
        if (theirs == nullptr || deleted_.count(other) > 0 || theirs->vni != mine->vni ||
            theirs->dstport != mine->dstport) {
          continue;
        }
        const bool socket_there =
            have.lower ? have.lower->netns == underlay_netns : netns_name == underlay_netns;
        if (!socket_there) {
          continue;
        }
        conflict(want.origin,
                 fmt::format("vxlan '{}' (vni {}, dstport {}) cannot be created over namespace "
                             "'{}': the VXLAN device '{}' already uses that VNI and port there "
                             "and {}; the kernel refuses a second one",
                             ref.str(), mine->vni, mine->dstport, underlay_netns, other.str(),
                             have.owner.empty() ? ownerText(have.owner)
                                                : fmt::format("belongs to lab '{}'", have.owner)));
        return true;
      }
    }
    return false;
  }

  /// What a new device is created with; promisc comes after, in planLinkChanges.
  [[nodiscard]] model::LinkSettings creationSettings(const IfRef& ref,
                                                     const LinkState& want) const {
    // The kernel enslaves to a bond only a link that is down, and opens it itself.
    const bool bond_member = masterKind(ref.netns, want.master) == LinkKind::kBond;
    return model::LinkSettings{.mtu = want.mtu,
                               .mac = keptMac(ref, want),
                               .up = want.up && !bond_member,
                               .promisc = std::nullopt,
                               .ipv6_link_local = want.ipv6_link_local};
  }

  /// The kind of a master named in `netns`: the file's, else the machine's.
  [[nodiscard]] LinkKind masterKind(const std::string& netns, const std::string& name) const {
    if (name.empty()) {
      return LinkKind::kOther;
    }
    const auto* link = desiredLink(IfRef{netns, name});
    link = link != nullptr ? link : actualLink(IfRef{netns, name});
    return link != nullptr ? link->kind : LinkKind::kOther;
  }

  /// The master a veth end is created with: only a Linux bridge. A VRF may be created in the
  /// same batch as its members, so they join it by a SetLink once both exist.
  [[nodiscard]] std::string bridgeMaster(const IfRef& ref, const LinkState& want) const {
    return masterKind(ref.netns, want.master) == LinkKind::kBridge ? want.master : "";
  }

  /// Whether the kernel cycles a link of the lab (down, then up) while the plan runs, which
  /// deletes its IPv6 addresses and the routes through it: it does to a link that joins or
  /// leaves a VRF, and to the members of a VRF that is deleted (replaced or gone).
  [[nodiscard]] bool cycledByVrf(const IfRef& ref, const LinkState& want,
                                 const LinkState& have) const {
    const IfRef old_master{ref.netns, have.master};
    const auto* old_vrf = have.master.empty() ? nullptr : actualLink(old_master);
    const bool leaves = old_vrf != nullptr && old_vrf->kind == LinkKind::kVrf &&
                        (want.master != have.master || deleted_.count(old_master) > 0);
    const bool joins = masterKind(ref.netns, want.master) == LinkKind::kVrf &&
                       want.master != effectiveMaster(ref, have);
    return leaves || joins;
  }

  /// The kernel enslaves to a bond only a link that is down ("Device can not be enslaved while
  /// up") and opens it itself; it closes a member it releases, by a change of master or by the
  /// bond's deletion. So a link that joins a bond from no bond is set down first (phase
  /// release-ports) and its change carries no `up`; one that leaves a bond for no bond is set
  /// up again after (phase add-addresses). Each step's inverse undoes exactly that.
  void planBondMembership(const IfRef& ref, const LinkState& want, const LinkState& have,
                          SetLink& set) {
    const bool from_bond =
        !have.master.empty() && actualKind(IfRef{ref.netns, have.master}) == LinkKind::kBond;
    const bool to_bond = masterKind(ref.netns, want.master) == LinkKind::kBond;
    const bool bond_goes = from_bond && deleted_.count(IfRef{ref.netns, have.master}) > 0;
    const bool joins = to_bond && want.master != effectiveMaster(ref, have);
    const bool leaves = from_bond && !to_bond && (want.master != have.master || bond_goes);
    if (!joins && !leaves) {
      return;
    }
    downed_.insert(ref);
    set.change.up.reset();
    set.before.up.reset();
    if (joins && have.up && !from_bond) {
      SetLink down{ref, {}, {}};
      down.change.up = false;
      down.before.up = true;
      add(Phase::kReleasePorts, Change::kUpdate, std::move(down), want.origin);
    }
    if (leaves && want.up) {
      SetLink up{ref, {}, {}};
      up.change.up = true;
      up.before.up = false;
      add(Phase::kAddAddresses, Change::kUpdate, std::move(up), want.origin);
    }
  }

  [[nodiscard]] LinkKind actualKind(const IfRef& ref) const {
    const auto* link = actualLink(ref);
    return link != nullptr ? link->kind : LinkKind::kOther;
  }

  [[nodiscard]] bool isLinuxBridge(const IfRef& ref) const {
    const auto* link = ref.name.empty() ? nullptr : actualLink(ref);
    return link != nullptr && link->kind == LinkKind::kBridge;
  }

  /// The MAC a new link gets: the file's, or else the one of the link it replaces. A replaced
  /// device would otherwise come with a new random MAC, and the neighbours' entries for the old
  /// one would cut traffic until they expire (about 30 s).
  [[nodiscard]] std::optional<std::string> keptMac(const IfRef& ref, const LinkState& want) const {
    if (want.mac) {
      return want.mac;
    }
    const auto* have = actualLink(ref);
    if (have != nullptr && ours(*have) && deleted_.count(ref) > 0) {
      return have->mac;
    }
    return std::nullopt;
  }

  /// The actual master as it will be once deletions ran: a deleted bridge releases its ports.
  [[nodiscard]] std::string effectiveMaster(const IfRef& ref, const LinkState& have) const {
    if (have.master.empty() || deleted_.count(IfRef{ref.netns, have.master}) > 0) {
      return "";
    }
    return have.master;
  }

  /// Plans the addresses of one interface. An address the file keeps is still deleted and
  /// added back when the kernel takes it away during the plan, so that the plan (and so its
  /// rollback) says what really happens: the secondaries of a primary that goes (with
  /// promote_secondaries off the kernel deletes them with it), and IPv6 addresses on a link that
  /// goes down (keep_addr_on_down is off by default). Secondaries are deleted before primaries,
  /// so that a rollback, which runs backwards, makes the primaries primary again.
  void diffAddresses(const IfRef& ref, const std::set<IpAddress>& want,
                     const std::set<IpAddress>& have, const SourceLoc& origin,
                     bool goes_down = false, const std::set<IpAddress>& secondaries = {}) {
    std::vector<IpAddress> gone_primaries;
    for (const auto& address : have) {
      if (want.count(address) == 0 && secondaries.count(address) == 0) {
        gone_primaries.push_back(address);
      }
    }
    const auto lost_by_kernel = [&](const IpAddress& kept) {
      if (kept.family == AF_INET6) {
        return goes_down;
      }
      return secondaries.count(kept) > 0 &&
             std::any_of(gone_primaries.begin(), gone_primaries.end(), [&](const IpAddress& other) {
               return other.family == AF_INET && other.prefix_len == kept.prefix_len &&
                      other.network() == kept.network();
             });
    };
    std::set<IpAddress> readded;
    std::vector<IpAddress> deletions;  // secondaries first
    for (const bool secondary_pass : {true, false}) {
      for (const auto& address : have) {
        if ((secondaries.count(address) > 0) != secondary_pass) {
          continue;
        }
        if (want.count(address) > 0 && lost_by_kernel(address)) {
          readded.insert(address);
        } else if (want.count(address) > 0) {
          continue;
        }
        deletions.push_back(address);
      }
    }
    for (const auto& address : deletions) {
      add(Phase::kDeleteAddresses, Change::kDelete, DeleteAddress{ref, address});
      deleted_addresses_[ref].push_back(address);
    }
    for (const auto& address : want) {
      if (have.count(address) == 0 || readded.count(address) > 0) {
        add(Phase::kAddAddresses, Change::kCreate, AddAddress{ref, address}, origin);
      }
    }
  }

  void planLinkChanges() {
    for (const auto& [netns_name, netns] : desired_.netns) {
      if (conflicted_netns_.count(netns_name) > 0) {
        continue;
      }
      for (const auto& [link_name, want] : netns.links) {
        const IfRef ref{netns_name, link_name};
        if (created_.count(ref) > 0) {
          SetLink set{ref, {}, {}};
          if (want.promisc) {
            set.change.promisc = want.promisc;
            set.before.promisc = false;
          }
          if (wantsTxChecksumOff(ref, want)) {
            set.change.tx_checksum = false;
            set.before.tx_checksum = true;
          }
          // A moved internal port joins its Linux bridge, any new link its VRF: neither is
          // enslaved by its creation.
          if (!want.master.empty() &&
              (want.kind != LinkKind::kVeth || bridgeMaster(ref, want).empty())) {
            set.change.master = want.master;
            set.before.master = "";
          }
          if (want.kind == LinkKind::kOvsInternal) {
            // vswitchd makes internal ports: their MTU and MAC are set once they are in place.
            set.change.mtu = want.mtu;
            set.change.mac = want.mac;
          }
          if (!set.change.empty()) {
            add(Phase::kChangeLinks, Change::kUpdate, std::move(set), want.origin);
          }
          diffAddresses(ref, want.addresses, {}, want.origin);
          diffVxlanPeers(ref, want.fdb_peers, {}, want.origin);
          diffImpairment(ref, want, nullptr);
          planBondPrimary(ref, want, nullptr);
          continue;
        }
        const auto* have = actualLink(ref);
        if (have == nullptr || !ours(*have)) {
          continue;
        }
        SetLink set{ref, {}, {}};
        if (want.mtu && want.mtu != have->mtu) {
          set.change.mtu = want.mtu;
          set.before.mtu = have->mtu;
          if (have->mtu && *want.mtu < *have->mtu) {
            planClampedUppers(ref, *want.mtu);
          }
        }
        if (want.mac && want.mac != have->mac) {
          set.change.mac = want.mac;
          set.before.mac = have->mac;
        }
        if (want.up != have->up) {
          set.change.up = want.up;
          set.before.up = have->up;
          if (!want.up) {
            downed_.insert(ref);
          }
        }
        // An internal port's master is a Linux bridge (its OVS bridge is no kernel master).
        if (const auto master = effectiveMaster(ref, *have);
            (want.ovs_bridge.empty() || want.kind == LinkKind::kOvsInternal) &&
            want.master != master) {
          set.change.master = want.master;
          set.before.master = master;
        } else if (!want.ovs_bridge.empty() && want.master.empty() &&
                   isLinuxBridge(IfRef{ref.netns, master})) {
          // A port that moves from a Linux bridge to an OVS bridge leaves the Linux bridge
          // first: the kernel would keep it enslaved, and the system datapath cannot take it.
          SetLink release{ref, {}, {}};
          release.change.master = "";
          release.before.master = master;
          add(Phase::kReleasePorts, Change::kUpdate, std::move(release), want.origin);
        }
        if (cycledByVrf(ref, want, *have)) {
          downed_.insert(ref);
        }
        planBondMembership(ref, want, *have, set);
        if (const auto off = wantsTxChecksumOff(ref, want);
            off && have->tx_checksum.value_or(true)) {
          set.change.tx_checksum = false;
          set.before.tx_checksum = true;
        }
        // Switched off in place (regainsLinkLocal rebuilds a link that needs it back).
        if (want.ipv6_link_local == false && have->ipv6_link_local == true) {
          set.change.ipv6_link_local = false;
          set.before.ipv6_link_local = true;
        }
        if (want.promisc && want.promisc != have->promisc.value_or(false)) {
          set.change.promisc = want.promisc;
          set.before.promisc = have->promisc.value_or(false);
        }
        if (want.kind == LinkKind::kBridge && want.stp != have->stp) {
          set.change.stp = want.stp;
          set.before.stp = have->stp;
        }
        if (want.kind == LinkKind::kBridge && want.vlan_filtering != have->vlan_filtering) {
          set.change.vlan_filtering = want.vlan_filtering;
          set.before.vlan_filtering = have->vlan_filtering;
        }
        if (!set.change.empty()) {
          add(Phase::kChangeLinks, Change::kUpdate, std::move(set), want.origin);
        }
        diffAddresses(ref, want.addresses, have->addresses, want.origin, downed_.count(ref) > 0,
                      have->secondary_addresses);
        diffVxlanPeers(ref, want.fdb_peers, have->fdb_peers, want.origin);
        diffImpairment(ref, want, have);
        planBondPrimary(ref, want, have);
      }
    }
  }

  /// The kernel takes a bond's primary only by a member's ifindex, so an inverse can set one back
  /// only while that member exists. A primary member this plan deletes or renames comes back in
  /// a rollback after every later step is undone, even after its bond when the bond is
  /// replaced too. Its bond's primary is therefore released first (phase release-primaries,
  /// before the renames), and that step, undone last, sets it back once the member is back
  /// under its old name and enslaved again. A bond in a namespace that goes needs none.
  void releaseGoingPrimaries() {
    for (const auto& [netns_name, netns] : actual_.netns) {
      if (removed_netns_.count(netns_name) > 0) {
        continue;
      }
      for (const auto& [name, link] : netns.links) {
        if (link.kind != LinkKind::kBond || !ours(link) || link.bond_primary.empty() ||
            survives(IfRef{netns_name, link.bond_primary})) {
          continue;
        }
        SetLink release{IfRef{netns_name, name}, {}, {}};
        release.change.bond_primary = "";
        release.before.bond_primary = link.bond_primary;
        add(Phase::kReleasePrimaries, Change::kUpdate, std::move(release));
      }
    }
  }

  /// A bond's primary member, changed in place by its own step after the members joined (phase
  /// bond-primaries): the kernel looks the member up among those it enslaved. `have` is null for
  /// a new bond. A primary member that goes was released first (releaseGoingPrimaries).
  void planBondPrimary(const IfRef& ref, const LinkState& want, const LinkState* have) {
    if (want.kind != LinkKind::kBond) {
      return;
    }
    std::string before = have != nullptr ? have->bond_primary : "";
    if (!before.empty() && !survives(IfRef{ref.netns, before})) {
      before.clear();
    }
    if (want.bond_primary == before) {
      return;
    }
    SetLink set{ref, {}, {}};
    set.change.bond_primary = want.bond_primary;
    set.before.bond_primary = before;
    add(Phase::kBondPrimaries, Change::kUpdate, std::move(set), want.origin);
  }

  /// The peers of a vxlan's head-end replication, one all-zero FDB entry each: changed in place,
  /// one by one, like addresses.
  void diffVxlanPeers(const IfRef& ref, const std::set<IpAddress>& want,
                      const std::set<IpAddress>& have, const SourceLoc& origin) {
    for (const auto& peer : have) {
      if (want.count(peer) == 0) {
        add(Phase::kDeleteAddresses, Change::kDelete, DeleteVxlanPeer{ref, peer});
      }
    }
    for (const auto& peer : want) {
      if (have.count(peer) == 0) {
        add(Phase::kAddAddresses, Change::kCreate, AddVxlanPeer{ref, peer}, origin);
      }
    }
  }

  /// The root qdisc of `impair:`: created, replaced in place, or deleted when the file drops
  /// it. A root qdisc of someone else's is left alone unless the file impairs the interface
  /// (then nstopo's replaces it); one of nstopo's that differs is drift, put back. `have` is
  /// null for a link this plan creates.
  void diffImpairment(const IfRef& ref, const LinkState& want, const LinkState* have) {
    const std::optional<model::Impairment> before = have ? have->impair : std::nullopt;
    const std::string foreign = have ? have->foreign_qdisc : "";
    if (want.impair) {
      if (before && foreign.empty() && model::sameImpairment(*want.impair, *before)) {
        return;
      }
      add(Phase::kChangeLinks, before ? Change::kUpdate : Change::kCreate,
          SetImpairment{ref, want.impair, before, foreign}, want.impair_origin);
    } else if (before) {
      add(Phase::kChangeLinks, Change::kDelete, SetImpairment{ref, std::nullopt, before, ""},
          want.origin);
    }
  }

  /// Lowering a link's MTU below that of a macvlan, ipvlan or VLAN link on it makes the kernel
  /// lower theirs too, and raising it again does not raise them back. For uppers whose MTU the
  /// file leaves to the kernel, the plan says so with a step of its own, placed before the
  /// parent's: a rollback, which runs backwards, then raises the parent first and the upper
  /// after it, as the kernel requires.
  void planClampedUppers(const IfRef& parent, std::uint32_t mtu) {
    for (const auto& [netns_name, other] : actual_.netns) {
      for (const auto& [name, upper] : other.links) {
        const IfRef ref{netns_name, name};
        // A VXLAN keeps its MTU when its underlay's changes: the kernel clamps only the others.
        if (!state::isStacked(upper.kind) || upper.kind == LinkKind::kVxlan ||
            upper.lower != parent || !ours(upper) || deleted_.count(ref) > 0 || !upper.mtu ||
            *upper.mtu <= mtu) {
          continue;
        }
        const auto* want = desiredLink(ref);
        if (want == nullptr || want->mtu) {
          continue;  // going, or its own MTU step covers it
        }
        planClampedUppers(ref, mtu);
        SetLink clamp{ref, {}, {}};
        clamp.change.mtu = mtu;
        clamp.before.mtu = upper.mtu;
        add(Phase::kChangeLinks, Change::kUpdate, std::move(clamp), want->origin);
      }
    }
  }

  void planLoopbacks() {
    for (const auto& [netns_name, want] : desired_.netns) {
      if (netns_name == kHost || conflicted_netns_.count(netns_name) > 0) {
        continue;
      }
      const IfRef lo{netns_name, "lo"};
      const auto* have = actualNetns(netns_name);
      if (have == nullptr) {
        diffAddresses(lo, want.loopback_addresses, {}, want.origin);
        continue;
      }
      if (want.loopback_up != have->loopback_up) {
        SetLink set{lo, {}, {}};
        set.change.up = want.loopback_up;
        set.before.up = have->loopback_up;
        add(Phase::kChangeLinks, Change::kUpdate, std::move(set), want.origin);
        if (!want.loopback_up) {
          downed_.insert(lo);
        }
      }
      diffAddresses(lo, want.loopback_addresses, have->loopback_addresses, want.origin,
                    downed_.count(lo) > 0);
    }
  }

  /// Whether the kernel deletes this route by itself while the plan runs: it goes through a
  /// link that goes down, its gateway lies in the subnet of an address that goes, or it is an
  /// IPv4 route of a device that is left without any IPv4 address for a moment (the kernel then
  /// flushes the device's IPv4 routes). Such a route is deleted first and added back at the end,
  /// so the plan converges in one run and a rollback restores it.
  [[nodiscard]] bool lostByKernel(const std::string& netns_name, const NetnsState& have,
                                  const RouteState& route) const {
    const IfRef dev{netns_name, route.dev};
    if (!route.dev.empty() && downed_.count(dev) > 0) {
      return true;
    }
    for (const auto& [ref, addresses] : deleted_addresses_) {
      if (ref.netns != netns_name) {
        continue;
      }
      for (const auto& address : addresses) {
        if (route.via && address.contains(*route.via)) {
          return true;
        }
      }
    }
    if (route.family != AF_INET || route.dev.empty()) {
      return false;
    }
    const auto deleted = deleted_addresses_.find(dev);
    const auto link = have.links.find(route.dev);
    if (deleted == deleted_addresses_.end() || link == have.links.end()) {
      return false;
    }
    return std::all_of(link->second.addresses.begin(), link->second.addresses.end(),
                       [&](const IpAddress& address) {
                         return address.family != AF_INET ||
                                std::find(deleted->second.begin(), deleted->second.end(),
                                          address) != deleted->second.end();
                       });
  }

  static bool sameRoute(const RouteState& want, const RouteState& have) {
    return want.via == have.via && (want.dev.empty() || want.dev == have.dev);
  }

  void planRoutes() {
    for (const auto& [netns_name, want] : desired_.netns) {
      if (conflicted_netns_.count(netns_name) > 0) {
        continue;
      }
      const auto* have = actualNetns(netns_name);
      std::map<std::string, const RouteState*> present;
      if (have != nullptr) {
        for (const auto& [key, route] : have->routes) {
          if (dropped_routes_.count(netns_name + "|" + key) > 0) {
            continue;
          }
          if (route.protocol != state::kRouteProtocol && !route.adopt_mark) {
            refuseUnmarkedRoute(netns_name, want, route);
            continue;
          }
          if (lostByKernel(netns_name, *have, route)) {
            dropped_routes_.insert(netns_name + "|" + key);
            add(Phase::kDeleteRoutes, Change::kDelete, DeleteRoute{netns_name, route});
            continue;
          }
          present.emplace(key, &route);
        }
      }
      for (const auto& [key, route] : present) {
        const auto it = want.routes.find(key);
        if (it == want.routes.end() || !sameRoute(it->second, *route)) {
          add(Phase::kDeleteRoutes, Change::kDelete, DeleteRoute{netns_name, *route});
        }
      }
      for (const auto& [key, route] : want.routes) {
        const auto it = present.find(key);
        if (it != present.end() && sameRoute(route, *it->second)) {
          if (it->second->protocol != state::kRouteProtocol) {  // adopted: marked where it is
            const Phase phase = route.via ? Phase::kAddGatewayRoutes : Phase::kAddDirectRoutes;
            add(phase, Change::kUpdate,
                MarkRoute{netns_name, *it->second, state::kRouteProtocol, it->second->protocol},
                route.origin);
          }
          continue;
        }
        if (refused_routes_.count(netns_name + "|" + key) > 0) {
          continue;
        }
        const Phase phase = route.via ? Phase::kAddGatewayRoutes : Phase::kAddDirectRoutes;
        add(phase, Change::kCreate, AddRoute{netns_name, route}, route.origin);
      }
    }
  }

  /// A route without nstopo's protocol is in the actual state only when the read asked for
  /// them (`apply --adopt`). One the file does not name is not the lab's and stays as it is;
  /// one with the key of a route the file names, but not taken over (state/adopt.h), is a
  /// conflict, as the kernel would refuse to add the file's (EEXIST).
  void refuseUnmarkedRoute(const std::string& netns_name, const NetnsState& want,
                           const RouteState& route) {
    const auto named = want.routes.find(route.key());
    if (named == want.routes.end()) {
      return;
    }
    refused_routes_.insert(netns_name + "|" + route.key());
    conflict(named->second.origin,
             fmt::format("route '{}' already exists in namespace '{}' and it carries no nstopo "
                         "mark (protocol {}, not {}); nstopo will not change it",
                         route.str(), netns_name, route.protocol, state::kRouteProtocol));
  }

  void planSysctls() {
    for (const auto& [netns_name, want] : desired_.netns) {
      if (netns_name == kHost || conflicted_netns_.count(netns_name) > 0) {
        continue;
      }
      const auto* have = actualNetns(netns_name);
      for (const auto& [key, value] : want.sysctls) {
        std::string before;
        if (have != nullptr) {
          const auto it = have->sysctls.find(key);
          before = it == have->sysctls.end() ? "" : it->second;
          if (model::normalizeSysctl(before) == model::normalizeSysctl(value)) {
            continue;
          }
        }
        const auto origin = want.sysctl_origin.find(key);
        add(Phase::kSysctls, have == nullptr ? Change::kCreate : Change::kUpdate,
            SetSysctl{netns_name, key, value, before},
            origin == want.sysctl_origin.end() ? SourceLoc{} : origin->second);
      }
    }
  }

  const State& desired_;
  State actual_storage_;
  const State& actual_;
  std::vector<PlannedRename> renames_;
  PlanResult result_;
  std::set<std::string> removed_netns_;
  std::set<std::string> conflicted_netns_;
  std::set<IfRef> deleted_;
  std::set<IfRef> left_to_kernel_;  ///< doomed veth ends the kernel deletes with a namespace
  std::set<IfRef> routed_devices_;  ///< the devices of the actual routes
  std::set<IfRef> created_;
  std::set<std::string> dropped_routes_;  ///< "netns|key" of routes deleted with their device
  std::set<std::string> refused_routes_;  ///< "netns|key" of unmarked routes the file names
  std::set<IfRef> downed_;                ///< links the plan sets down
  std::map<IfRef, std::vector<IpAddress>> deleted_addresses_;  ///< by the plan, per interface
};

}  // namespace

PlanResult makePlan(const State& desired, const State& actual) {
  return Planner(desired, actual).run();
}

}  // namespace nstopo::plan
