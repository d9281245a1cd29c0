// SPDX-License-Identifier: Apache-2.0
#include "nstopo/plan/action.h"

#include <algorithm>

#include <fmt/format.h>

#include "nstopo/core/overloaded.h"
#include "nstopo/model/topology.h"

namespace nstopo::plan {
namespace {

std::string onOff(bool value) {
  return value ? "on" : "off";
}

std::string describeEnd(const VethEnd& end) {
  std::string text = end.ref.str();
  if (!end.master.empty()) {
    text += fmt::format(" (port of {})", end.master);
  }
  return text;
}

std::string describeChange(const LinkChange& change, const LinkChange& before) {
  std::vector<std::string> parts;
  auto opt = [](const auto& value) {
    return value ? fmt::format("{}", *value) : std::string("unset");
  };
  if (change.mtu) {
    parts.push_back(fmt::format("mtu {} -> {}", opt(before.mtu), *change.mtu));
  }
  if (change.mac) {
    parts.push_back(fmt::format("mac {} -> {}", opt(before.mac), *change.mac));
  }
  if (change.up) {
    parts.push_back(fmt::format("state {} -> {}", before.up.value_or(false) ? "up" : "down",
                                *change.up ? "up" : "down"));
  }
  if (change.master) {
    const auto from = before.master.value_or("");
    parts.push_back(fmt::format("master {} -> {}", from.empty() ? "none" : from,
                                change.master->empty() ? "none" : *change.master));
  }
  if (change.stp) {
    parts.push_back(
        fmt::format("stp {} -> {}", onOff(before.stp.value_or(false)), onOff(*change.stp)));
  }
  if (change.promisc) {
    parts.push_back(fmt::format("promisc {} -> {}", onOff(before.promisc.value_or(false)),
                                onOff(*change.promisc)));
  }
  if (change.ipv6_link_local) {
    parts.push_back(fmt::format("ipv6 {} -> {}", onOff(before.ipv6_link_local.value_or(true)),
                                onOff(*change.ipv6_link_local)));
  }
  if (change.tx_checksum) {
    parts.push_back(fmt::format("tx-checksum offload {} -> {}",
                                onOff(before.tx_checksum.value_or(true)),
                                onOff(*change.tx_checksum)));
  }
  if (change.vlan_filtering) {
    parts.push_back(fmt::format("vlan_filtering {} -> {}",
                                onOff(before.vlan_filtering.value_or(false)),
                                onOff(*change.vlan_filtering)));
  }
  if (change.bond_primary) {
    const auto from = before.bond_primary.value_or("");
    parts.push_back(fmt::format("primary {} -> {}", from.empty() ? "none" : from,
                                change.bond_primary->empty() ? "none" : *change.bond_primary));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string describeCreateLink(const CreateLink& a) {
  std::string text = fmt::format("{} {}", state::toString(a.kind), a.ref.str());
  if (a.lower) {
    text += " on " + a.lower->str();
  }
  if (const auto options = model::optionsText(a.options); !options.empty()) {
    text += " (" + options + ")";
  }
  return text;
}

std::string describePort(const state::OvsPortState& port) {
  std::string text = port.internal ? "internal " : "";
  text += port.name;
  if (port.tag) {
    text += fmt::format(" tag {}", *port.tag);
  }
  if (!port.trunks.empty()) {
    text += fmt::format(" trunks {}", fmt::join(port.trunks, ","));
  }
  return text;
}

std::string describePortChange(const state::OvsPortState& after,
                               const state::OvsPortState& before) {
  std::vector<std::string> parts;
  auto tag = [](const std::optional<int>& t) {
    return t ? std::to_string(*t) : std::string("none");
  };
  if (after.tag != before.tag) {
    parts.push_back(fmt::format("tag {} -> {}", tag(before.tag), tag(after.tag)));
  }
  if (after.trunks != before.trunks) {
    parts.push_back(fmt::format("trunks [{}] -> [{}]", fmt::join(before.trunks, ","),
                                fmt::join(after.trunks, ",")));
  }
  if (after.external_ids != before.external_ids) {
    parts.push_back("external_ids");
  }
  if (before.owner.empty() && !after.owner.empty()) {
    parts.push_back("mark (adopted)");  // apply --adopt
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string describeBridgeChange(const state::OvsBridgeState& after,
                                 const state::OvsBridgeState& before) {
  std::vector<std::string> parts;
  if (after.datapath != before.datapath) {
    parts.push_back(fmt::format("datapath {} -> {}", before.datapath, after.datapath));
  }
  if (after.fail_mode != before.fail_mode) {
    parts.push_back(fmt::format("fail_mode {} -> {}",
                                before.fail_mode.empty() ? "default" : before.fail_mode,
                                after.fail_mode.empty() ? "default" : after.fail_mode));
  }
  if (after.protocols != before.protocols) {
    parts.push_back(fmt::format("protocols [{}] -> [{}]", fmt::join(before.protocols, ","),
                                fmt::join(after.protocols, ",")));
  }
  if (after.external_ids != before.external_ids) {
    parts.push_back("external_ids");
  }
  if (before.owner.empty() && !after.owner.empty()) {
    parts.push_back("mark (adopted)");  // apply --adopt
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

/// The settings a rebuilt device is created with (promisc is a step of its own).
LinkSettings settingsOf(const state::LinkState& link) {
  // A link-local address is asked for only when the link had none: otherwise the kernel's
  // default makes one, as it did for the link being rebuilt.
  return LinkSettings{
      .mtu = link.mtu,
      .mac = link.mac,
      .up = link.up,
      .promisc = std::nullopt,
      .ipv6_link_local = link.ipv6_link_local == false ? std::optional<bool>(false) : std::nullopt};
}

VethEnd endFrom(const state::LinkState& link, const std::string& netns) {
  return VethEnd{IfRef{netns, link.name}, link.master, settingsOf(link)};
}

/// Rebuilding a link that had a master: it is created without it, and down, then joins it, then
/// comes up. The kernel enslaves to a bond only a link that is down ("Device can not be enslaved
/// while up") and opens it itself, and a creation or change request that carries both the state
/// and the master sets the state first; so a link recreated up with its bond as master would be
/// refused. A bridge or VRF port takes the same three steps (the last is a no-op for a bond's).
/// `settings` and `master` are those of the new link, cleared here; the joins go to `joins`.
void joinAfterCreation(const IfRef& ref, std::string& master, LinkSettings& settings,
                       std::vector<Action>& joins) {
  if (master.empty()) {
    return;
  }
  SetLink join{ref, {}, {}};
  join.change.master = master;
  join.before.master = "";
  joins.emplace_back(std::move(join));
  if (settings.up) {
    SetLink up{ref, {}, {}};
    up.change.up = true;
    up.before.up = false;
    joins.emplace_back(std::move(up));
  }
  master.clear();
  settings.up = false;
}

/// What brings an internal port's device back once vswitchd has recreated it in the host: the
/// move into its namespace with the mark and the up state, its MTU, MAC and master, then its
/// addresses (primaries first, so the secondaries become secondaries again) and its routes
/// (direct ones first: a gateway may be reachable only through one of them).
void restoreDevice(const InternalDevice& device, const std::string& lab, std::vector<Action>& out) {
  const auto& link = device.before;
  const IfRef ref{device.netns, link.name};
  out.emplace_back(
      MoveLink{IfRef{model::kHostNode, link.name}, device.netns, lab, link.up, "", {}});
  SetLink set{ref, {}, {}};
  set.change.mtu = link.mtu;
  set.change.mac = link.mac;
  if (!link.master.empty()) {
    set.change.master = link.master;
    set.before.master = "";
  }
  if (!set.change.empty()) {
    out.emplace_back(std::move(set));
  }
  for (const bool secondary : {false, true}) {
    for (const auto& address : link.addresses) {
      if ((link.secondary_addresses.count(address) > 0) == secondary) {
        out.emplace_back(AddAddress{ref, address});
      }
    }
  }
  for (const bool gateway : {false, true}) {
    for (const auto& [netns, route] : device.routes_before) {
      if (route.via.has_value() == gateway) {
        out.emplace_back(AddRoute{netns, route});
      }
    }
  }
}

}  // namespace

std::string describe(const Action& action) {
  return std::visit(
      Overloaded{
          [](const CreateNetns& a) { return fmt::format("netns {}", a.netns); },
          [](const DeleteNetns& a) {
            if (a.only_file) {
              return fmt::format("netns {} (the empty file a killed run left)", a.netns);
            }
            if (a.takes_along.empty()) {
              return fmt::format("netns {}", a.netns);
            }
            std::vector<std::string> ends;
            for (const auto& ref : a.takes_along) {
              ends.push_back(ref.str());
            }
            return fmt::format("netns {} (the kernel deletes {} with it)", a.netns,
                               fmt::join(ends, ", "));
          },
          [](const CreateBridge& a) {
            return fmt::format("bridge {} (stp {})", a.ref.str(), onOff(a.stp));
          },
          [](const CreateVeth& a) {
            return fmt::format("veth {} <-> {}", describeEnd(a.a), describeEnd(a.b));
          },
          [](const CreateLink& a) { return describeCreateLink(a); },
          [](const DeleteLink& a) {
            if (state::isStacked(a.before->kind) && a.before->lower) {
              return fmt::format("{} {} on {}", state::toString(a.before->kind), a.ref.str(),
                                 a.before->lower->str());
            }
            if (a.before->kind == state::LinkKind::kVeth && a.before->peer) {
              return fmt::format("veth {} <-> {}", a.ref.str(), a.before->peer->str());
            }
            return fmt::format("{} {}", a.before->kind_name.empty() ? "link" : a.before->kind_name,
                               a.ref.str());
          },
          [](const SetLink& a) {
            return fmt::format("link {}: {}", a.ref.str(), describeChange(a.change, a.before));
          },
          [](const AddAddress& a) {
            return fmt::format("address {} on {}", a.address.cidr(), a.ref.str());
          },
          [](const DeleteAddress& a) {
            return fmt::format("address {} on {}", a.address.cidr(), a.ref.str());
          },
          [](const AddVxlanPeer& a) {
            return fmt::format("vxlan peer {} on {}", a.peer.str(), a.ref.str());
          },
          [](const DeleteVxlanPeer& a) {
            return fmt::format("vxlan peer {} on {}", a.peer.str(), a.ref.str());
          },
          [](const SetImpairment& a) {
            const auto text = [](const std::optional<model::Impairment>& impair) {
              return impair ? model::impairmentText(*impair) : std::string("none");
            };
            const std::string before =
                a.foreign_before.empty() ? text(a.before) : "qdisc " + a.foreign_before;
            return fmt::format("impair {}: {} (was {})", a.ref.str(), text(a.after), before);
          },
          [](const AddRoute& a) { return fmt::format("route {}: {}", a.netns, a.route.str()); },
          [](const DeleteRoute& a) { return fmt::format("route {}: {}", a.netns, a.route.str()); },
          [](const MarkRoute& a) {
            return a.protocol == state::kRouteProtocol
                       ? fmt::format("mark route {}: {}", a.netns, a.route.str())
                       : fmt::format("unmark route {}: {} (protocol {} again)", a.netns,
                                     a.route.str(), a.protocol);
          },
          [](const CreateOvsBridge& a) {
            return fmt::format("ovs bridge {} (datapath {})", a.bridge.name, a.bridge.datapath);
          },
          [](const DeleteOvsBridge& a) { return fmt::format("ovs bridge {}", a.before.name); },
          [](const SetOvsBridge& a) {
            return fmt::format("ovs bridge {}: {}", a.after->name,
                               describeBridgeChange(*a.after, *a.before));
          },
          [](const AddOvsPort& a) {
            return fmt::format("ovs port {} on {}", describePort(a.port), a.bridge);
          },
          [](const DeleteOvsPort& a) {
            return fmt::format("ovs port {} on {}", a.before.name, a.bridge);
          },
          [](const SetOvsPort& a) {
            return fmt::format("ovs port {} on {}: {}", a.after->name, a.bridge,
                               describePortChange(*a.after, *a.before));
          },
          [](const MoveLink& a) {
            const std::string mark = a.lab.empty() ? " (mark removed)" : "";
            return a.from.netns == a.to_netns
                       ? fmt::format("mark {}{}", a.from.str(), mark)
                       : fmt::format("move {} into {}{}", a.from.str(), a.to_netns, mark);
          },
          [](const RenameLink& a) { return fmt::format("rename {} to {}", a.from.str(), a.to); },
          [](const SetSysctl& a) {
            return a.before.empty() ? fmt::format("sysctl {}: {} = {}", a.netns, a.key, a.value)
                                    : fmt::format("sysctl {}: {} = {} (was {})", a.netns, a.key,
                                                  a.value, a.before);
          },
      },
      action);
}

std::string netnsOf(const Action& action) {
  return std::visit(Overloaded{
                        [](const CreateNetns& a) { return a.netns; },
                        [](const DeleteNetns& a) { return a.netns; },
                        [](const CreateBridge& a) { return a.ref.netns; },
                        [](const CreateVeth& a) { return a.a.ref.netns; },
                        [](const CreateLink& a) { return a.ref.netns; },
                        [](const DeleteLink& a) { return a.ref.netns; },
                        [](const SetLink& a) { return a.ref.netns; },
                        [](const AddAddress& a) { return a.ref.netns; },
                        [](const DeleteAddress& a) { return a.ref.netns; },
                        [](const AddVxlanPeer& a) { return a.ref.netns; },
                        [](const DeleteVxlanPeer& a) { return a.ref.netns; },
                        [](const SetImpairment& a) { return a.ref.netns; },
                        [](const AddRoute& a) { return a.netns; },
                        [](const DeleteRoute& a) { return a.netns; },
                        [](const MarkRoute& a) { return a.netns; },
                        [](const SetSysctl& a) { return a.netns; },
                        [](const MoveLink& a) { return a.from.netns; },
                        [](const RenameLink& a) { return a.from.netns; },
                        [](const auto&) { return std::string("ovsdb"); },
                    },
                    action);
}

std::vector<Action> inverseOf(const Action& action) {
  return std::visit(
      Overloaded{
          [](const CreateNetns& a) -> std::vector<Action> {
            return {DeleteNetns{a.netns, a.lab, a.loopback_up}};
          },
          [](const DeleteNetns& a) -> std::vector<Action> {
            if (a.only_file) {
              return {};
            }
            return {CreateNetns{a.netns, a.lab, a.loopback_up}};
          },
          [](const CreateBridge& a) -> std::vector<Action> {
            state::LinkState before;
            before.name = a.ref.name;
            before.kind = state::LinkKind::kBridge;
            before.kind_name = state::toString(before.kind);
            before.owner = a.lab;
            return {DeleteLink{a.ref, a.lab, before, std::nullopt, {}, {}}};
          },
          [](const CreateVeth& a) -> std::vector<Action> {
            state::LinkState before;
            before.name = a.a.ref.name;
            before.kind = state::LinkKind::kVeth;
            before.kind_name = state::toString(before.kind);
            before.owner = a.lab;
            before.peer = a.b.ref;
            return {DeleteLink{a.a.ref, a.lab, before, std::nullopt, {}, {}}};
          },
          [](const CreateLink& a) -> std::vector<Action> {
            state::LinkState before;
            before.name = a.ref.name;
            before.kind = a.kind;
            before.kind_name = state::toString(a.kind);
            before.owner = a.lab;
            before.lower = a.lower;
            return {DeleteLink{a.ref, a.lab, before, std::nullopt, {}, {}}};
          },
          [](const DeleteLink& a) -> std::vector<Action> {
            std::vector<Action> undo;
            switch (model::shapeOf(a.before->kind)) {
              case model::LinkShape::kStacked:
              case model::LinkShape::kStandalone:
                if (state::isStacked(a.before->kind) && !a.before->lower) {
                  return {};  // its parent is unknown: nothing nstopo can rebuild
                }
                {
                  // A vxlan port of a Linux bridge, a member of a VRF or a bond.
                  auto settings = settingsOf(*a.before);
                  auto master = a.before->master;
                  std::vector<Action> joins;
                  joinAfterCreation(a.ref, master, settings, joins);
                  undo.emplace_back(CreateLink{a.ref, a.before->lower, a.before->kind,
                                               a.before->options, settings, a.lab});
                  undo.insert(undo.end(), joins.begin(), joins.end());
                }
                for (const auto& peer : a.before->fdb_peers) {
                  undo.emplace_back(AddVxlanPeer{a.ref, peer});
                }
                break;
              case model::LinkShape::kBridge:
                undo.emplace_back(CreateBridge{a.ref, a.lab, a.before->stp,
                                               a.before->vlan_filtering, settingsOf(*a.before)});
                break;
              case model::LinkShape::kPair: {
                if (!a.before->peer) {
                  return {};
                }
                VethEnd there{*a.before->peer, "", LinkSettings{}};
                if (a.peer_before) {
                  there = endFrom(*a.peer_before, a.before->peer->netns);
                }
                VethEnd here = endFrom(*a.before, a.ref.netns);
                std::vector<Action> joins;
                joinAfterCreation(here.ref, here.master, here.settings, joins);
                joinAfterCreation(there.ref, there.master, there.settings, joins);
                undo.emplace_back(CreateVeth{here, there, a.lab});
                undo.insert(undo.end(), joins.begin(), joins.end());
                break;
              }
              case model::LinkShape::kOvsPort:  // its OVS port's inverse rebuilds it
              case model::LinkShape::kForeign:
                return {};  // nothing nstopo can rebuild
            }
            for (const auto& port : a.ports_before) {
              SetLink join{IfRef{a.ref.netns, port}, {}, {}};
              join.change.master = a.ref.name;
              join.before.master = "";
              undo.emplace_back(std::move(join));
            }
            // A bond's primary, once its members are back: the kernel finds it only among them.
            if (!a.before->bond_primary.empty() &&
                std::find(a.ports_before.begin(), a.ports_before.end(), a.before->bond_primary) !=
                    a.ports_before.end()) {
              SetLink primary{a.ref, {}, {}};
              primary.change.bond_primary = a.before->bond_primary;
              primary.before.bond_primary = "";
              undo.emplace_back(std::move(primary));
            }
            for (const auto& address : a.before->addresses) {
              undo.emplace_back(AddAddress{a.ref, address});
            }
            // The kernel deletes a device's qdiscs with it.
            if (a.before->impair) {
              undo.emplace_back(SetImpairment{a.ref, a.before->impair, std::nullopt, ""});
            }
            if (a.peer_before && a.before->peer && a.peer_before->impair) {
              undo.emplace_back(
                  SetImpairment{*a.before->peer, a.peer_before->impair, std::nullopt, ""});
            }
            if (a.peer_before && a.before->peer) {
              for (const auto& address : a.peer_before->addresses) {
                undo.emplace_back(AddAddress{*a.before->peer, address});
              }
            }
            // Direct routes first: a gateway may be reachable only through one of them.
            for (const bool gateway : {false, true}) {
              for (const auto& [netns, route] : a.routes_before) {
                if (route.via.has_value() == gateway) {
                  undo.emplace_back(AddRoute{netns, route});
                }
              }
            }
            return undo;
          },
          [](const SetLink& a) -> std::vector<Action> {
            return {SetLink{a.ref, a.before, a.change}};
          },
          [](const AddAddress& a) -> std::vector<Action> {
            return {DeleteAddress{a.ref, a.address}};
          },
          [](const DeleteAddress& a) -> std::vector<Action> {
            return {AddAddress{a.ref, a.address}};
          },
          [](const AddVxlanPeer& a) -> std::vector<Action> {
            return {DeleteVxlanPeer{a.ref, a.peer}};
          },
          [](const DeleteVxlanPeer& a) -> std::vector<Action> {
            return {AddVxlanPeer{a.ref, a.peer}};
          },
          [](const SetImpairment& a) -> std::vector<Action> {
            return {SetImpairment{a.ref, a.before, a.after, ""}};
          },
          [](const AddRoute& a) -> std::vector<Action> {
            return {DeleteRoute{a.netns, a.route}};
          },
          [](const DeleteRoute& a) -> std::vector<Action> {
            return {AddRoute{a.netns, a.route}};
          },
          [](const MarkRoute& a) -> std::vector<Action> {
            return {MarkRoute{a.netns, a.route, a.protocol_before, a.protocol}};
          },
          [](const CreateOvsBridge& a) -> std::vector<Action> {
            return {DeleteOvsBridge{a.bridge, a.lab, {}}};
          },
          [](const DeleteOvsBridge& a) -> std::vector<Action> {
            std::vector<Action> undo{CreateOvsBridge{a.before, a.lab}};
            for (const auto& [name, port] : a.before.ports) {
              undo.emplace_back(AddOvsPort{a.before.name, port, a.lab});
            }
            // The engine hands each undo action to its own driver in turn, so the netlink
            // steps run after vswitchd made the devices.
            for (const auto& device : a.devices) {
              restoreDevice(device, a.lab, undo);
            }
            return undo;
          },
          [](const SetOvsBridge& a) -> std::vector<Action> {
            return {SetOvsBridge{a.before, a.after}};
          },
          [](const AddOvsPort& a) -> std::vector<Action> {
            return {DeleteOvsPort{a.bridge, a.port, a.lab, std::nullopt}};
          },
          [](const DeleteOvsPort& a) -> std::vector<Action> {
            std::vector<Action> undo{AddOvsPort{a.bridge, a.before, a.lab}};
            if (a.device) {
              restoreDevice(*a.device, a.lab, undo);
            }
            return undo;
          },
          [](const SetOvsPort& a) -> std::vector<Action> {
            return {SetOvsPort{a.bridge, a.before, a.after}};
          },
          [](const MoveLink& a) -> std::vector<Action> {
            if (a.from.netns == a.to_netns) {  // marked in place
              return {MoveLink{a.from, a.to_netns, a.owner_before, a.up, a.lab, a.mark_peer}};
            }
            return {MoveLink{
                IfRef{a.to_netns, a.from.name}, a.from.netns, a.owner_before, false, a.lab, {}}};
          },
          [](const RenameLink& a) -> std::vector<Action> {
            RenameLink back = a;
            back.from = IfRef{a.from.netns, a.to};
            back.to = a.from.name;
            return {std::move(back)};
          },
          [](const SetSysctl& a) -> std::vector<Action> {
            if (a.before.empty()) {
              return {};  // a new namespace: it goes away as a whole
            }
            return {SetSysctl{a.netns, a.key, a.before, a.value}};
          },
      },
      action);
}

bool isOvsAction(const Action& action) {
  return std::holds_alternative<CreateOvsBridge>(action) ||
         std::holds_alternative<DeleteOvsBridge>(action) ||
         std::holds_alternative<SetOvsBridge>(action) ||
         std::holds_alternative<AddOvsPort>(action) ||
         std::holds_alternative<DeleteOvsPort>(action) ||
         std::holds_alternative<SetOvsPort>(action);
}

}  // namespace nstopo::plan
