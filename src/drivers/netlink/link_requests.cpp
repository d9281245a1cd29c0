// SPDX-License-Identifier: Apache-2.0
#include "link_requests.h"

#include <random>

#include <fmt/format.h>

#include "nstopo/core/overloaded.h"
#include "nstopo/state/ownership.h"

#include "addr_route_messages.h"
#include "fdb_messages.h"
#include "qdisc_messages.h"

namespace nstopo::netlink {
namespace {

using state::IfRef;

/// "nst" and eight hex digits: a name no lab uses (names with a stable meaning are validated).
std::string temporaryName() {
  static std::mt19937 generator{std::random_device{}()};
  return fmt::format("nst{:08x}", generator());
}

/// The attributes of a mark request: the alias, and the default group the link leaves its
/// creation group for.
LinkAttrs markAttrs(std::string alias) {
  LinkAttrs mark;
  mark.alias = std::move(alias);
  mark.group = 0;
  return mark;
}

LinkAttrs attrsOf(const model::LinkSettings& settings) {
  LinkAttrs attrs;
  attrs.mtu = settings.mtu;
  attrs.mac = settings.mac;
  attrs.up = settings.up;
  return attrs;
}

/// Whether netem, changed in place from `before` to `after`, would keep values `after` drops: the
/// kernel changes the correlations, the reorder and the corruption only when the request carries
/// them, and libnl leaves each out when it is all zero. Such a change recreates the root instead.
bool netemKeepsStale(const model::Impairment& before, const model::Impairment& after) {
  if (!before.needsNetem() || !after.needsNetem()) {
    return false;
  }
  const auto correlated = [](const model::Impairment& impair) {
    return (impair.loss && impair.loss->correlation != 0) ||
           (impair.duplicate && impair.duplicate->correlation != 0);
  };
  return (correlated(before) && !correlated(after)) || (before.reorder && !after.reorder) ||
         (before.corrupt && !after.corrupt);
}

/// One builder per action, chosen by overload resolution: an action without one does not
/// compile. Each adds its requests to `out` and fails only before sending anything.
class Builder {
 public:
  Builder(std::size_t index, std::string what, const RequestContext& context, LinkRequests& out)
      : index_(index), what_(std::move(what)), context_(context), out_(out) {}

  Status operator()(const plan::CreateBridge& a) {
    LinkAttrs attrs;
    attrs.mac = a.settings.mac;
    attrs.up = a.settings.up;
    attrs.group = linkCreationGroup();
    // Only non-default options are sent: kernels built without VLAN filtering refuse even
    // "vlan_filtering 0" with EOPNOTSUPP.
    BridgeOptions options;
    if (a.stp) {
      options.stp = true;
    }
    if (a.vlan_filtering) {
      options.vlan_filtering = true;
    }
    out_.first.push_back(creation(a.ref.netns, newBridgeRequest(a.ref.name, options, attrs)));
    // The MTU goes with the mark: set through a change, the kernel records it as chosen by the
    // user and stops lowering it to the smallest port's MTU.
    LinkAttrs mark = markAttrs(state::makeMark(a.lab));
    mark.mtu = a.settings.mtu;
    out_.then.push_back(
        plain(a.ref.netns, setLinkRequest(a.ref.name, mark), "marking bridge " + a.ref.str()));
    return {};
  }

  Status operator()(const plan::CreateVeth& a) {
    const auto peer_netns = context_.netns_fd(a.b.ref.netns);
    if (!peer_netns) {
      return tl::unexpected(peer_netns.error());
    }
    // The kernel opens the peer before the pair is joined, so the peer cannot come up in the
    // creation request (ENOTCONN); its "up" rides on its mark. The first end is opened after
    // the join and can.
    LinkAttrs attrs = attrsOf(a.a.settings);
    LinkAttrs peer_attrs = attrsOf(a.b.settings);
    peer_attrs.up.reset();
    // An end without a link-local address comes up only after its addr_gen_mode is set.
    const bool a_quiet = a.a.settings.ipv6_link_local == false;
    if (a_quiet) {
      attrs.up.reset();
    }
    attrs.group = linkCreationGroup();
    peer_attrs.group = linkCreationGroup();
    if (!a.a.master.empty()) {
      const auto master = context_.ifindex(IfRef{a.a.ref.netns, a.a.master});
      if (!master) {
        return tl::unexpected(master.error());
      }
      attrs.master_ifindex = *master;
    }
    out_.first.push_back(creation(
        a.a.ref.netns, newVethRequest(a.a.ref.name, attrs, a.b.ref.name, peer_attrs, *peer_netns)));
    LinkAttrs mark_a = markAttrs(state::makeVethMark(a.lab, a.b.ref));
    if (a_quiet) {
      out_.then.push_back(linkLocalOff(a.a.ref));
      out_.ipv6_switches.push_back(Ipv6Switch{.action = index_, .ref = a.a.ref, .on = false});
      mark_a.up = a.a.settings.up;
    }
    out_.then.push_back(
        plain(a.a.ref.netns, setLinkRequest(a.a.ref.name, mark_a), "marking " + a.a.ref.str()));
    if (a.b.settings.ipv6_link_local == false) {
      out_.then.push_back(linkLocalOff(a.b.ref));
      out_.ipv6_switches.push_back(Ipv6Switch{.action = index_, .ref = a.b.ref, .on = false});
    }
    LinkAttrs mark_b = markAttrs(state::makeVethMark(a.lab, a.a.ref));
    mark_b.up = a.b.settings.up;
    if (!a.b.master.empty()) {
      const auto master = context_.ifindex(IfRef{a.b.ref.netns, a.b.master});
      if (!master) {
        return tl::unexpected(master.error());
      }
      mark_b.master_ifindex = *master;
    }
    out_.then.push_back(
        plain(a.b.ref.netns, setLinkRequest(a.b.ref.name, mark_b), "marking " + a.b.ref.str()));
    return {};
  }

  Status operator()(const plan::CreateLink& a) {
    NewLink link{.name = a.ref.name, .kind = a.kind, .options = a.options};
    if (a.lower) {
      const auto lower = context_.ifindex(*a.lower);
      if (!lower) {
        return tl::unexpected(lower.error());
      }
      link.lower_ifindex = *lower;
    }
    const auto target = context_.netns_fd(a.ref.netns);
    if (!target) {
      return tl::unexpected(target.error());
    }
    LinkAttrs attrs = attrsOf(a.settings);
    attrs.up.reset();  // with the mark, like a veth's
    attrs.group = linkCreationGroup();
    LinkAttrs mark =
        markAttrs(a.lower ? state::makeVethMark(a.lab, *a.lower) : state::makeMark(a.lab));
    mark.up = a.settings.up;
    // A stacked link is created from its parent's namespace, a standalone one where it lives.
    const std::string& from = a.lower ? a.lower->netns : a.ref.netns;
    if (from == a.ref.netns) {
      out_.first.push_back(creation(from, newLinkRequest(link, attrs)));
      out_.then.push_back(
          plain(a.ref.netns, setLinkRequest(a.ref.name, mark), "marking " + a.ref.str()));
      return {};
    }
    // Older kernels look the new name up in the creating namespace: create under a temporary
    // name, straight into the target, and rename it there.
    link.name = temporaryName();
    link.target_netns_fd = *target;
    Request create = creation(from, newLinkRequest(link, attrs));
    create.cleanup_netns = a.ref.netns;
    create.cleanup_name = link.name;
    out_.first.push_back(std::move(create));
    out_.renames.push_back(PendingRename{.action = index_,
                                         .temporary = IfRef{a.ref.netns, link.name},
                                         .final_name = a.ref.name,
                                         .attrs = mark});
    return {};
  }

  Status operator()(const plan::MoveLink& a) {
    LinkAttrs mark;
    // "" takes the mark off; an adopted veth or stacked link names its other end or parent.
    mark.alias = a.lab.empty() ? ""
                 : a.mark_peer ? state::makeVethMark(a.lab, *a.mark_peer)
                               : state::makeMark(a.lab);
    mark.up = a.up;
    if (a.from.netns != a.to_netns) {
      const auto target = context_.netns_fd(a.to_netns);
      if (!target) {
        return tl::unexpected(target.error());
      }
      out_.first.push_back(plain(a.from.netns, moveLinkRequest(a.from.name, *target),
                                 "moving " + a.from.str() + " into " + a.to_netns));
    }
    out_.then.push_back(plain(a.to_netns, setLinkRequest(a.from.name, mark),
                              "marking " + a.to_netns + ":" + a.from.name));
    return {};
  }

  Status operator()(const plan::RenameLink& a) {
    const auto device = context_.ifindex(a.from);
    if (!device) {
      return tl::unexpected(device.error());
    }
    out_.first.push_back(
        plain(a.from.netns, renameLinkRequest(*device, a.to, LinkAttrs{}), "renaming " + what_));
    out_.renamed.push_back(InPlaceRename{.action = index_, .ifindex = *device});
    const IfRef now{a.from.netns, a.to};
    for (const auto& ref : a.marked_by) {
      out_.then.push_back(
          plain(ref.netns, setLinkRequest(ref.name, markAttrs(state::makeVethMark(a.lab, now))),
                "marking " + ref.str() + " for " + what_));
    }
    return {};
  }

  Status operator()(const plan::DeleteLink& a) {
    // Tag now; the driver deletes the whole tag per namespace: one batch in the kernel.
    LinkAttrs tag;
    tag.group = deleteGroup();
    out_.first.push_back(Request{.netns = a.ref.netns,
                                 .message = setLinkRequest(a.ref.name, tag),
                                 .action = index_,
                                 .what = "deleting " + what_,
                                 .tolerate_missing = true});
    out_.deletions.push_back(Deletion{.netns = a.ref.netns, .action = index_});
    return {};
  }

  Status operator()(const plan::SetLink& a) {
    if (a.change.tx_checksum) {
      out_.offloads.push_back(Offload{.action = index_, .ref = a.ref, .on = *a.change.tx_checksum});
    }
    if (a.change.bond_primary) {
      int member = 0;  // none: the kernel clears the primary
      if (!a.change.bond_primary->empty()) {
        const auto found = context_.ifindex(IfRef{a.ref.netns, *a.change.bond_primary});
        if (!found) {
          return tl::unexpected(found.error());
        }
        member = *found;
      }
      out_.first.push_back(
          plain(a.ref.netns, setBondPrimaryRequest(a.ref.name, member), "changing " + what_));
    }
    if (a.change.ipv6_link_local) {  // before the rest, which may bring the link up
      Request request = plain(a.ref.netns, linkLocalRequest(a.ref.name, *a.change.ipv6_link_local),
                              "changing " + what_);
      request.tolerate_no_ipv6 = true;
      out_.first.push_back(std::move(request));
      out_.ipv6_switches.push_back(
          Ipv6Switch{.action = index_, .ref = a.ref, .on = *a.change.ipv6_link_local});
    }
    plan::LinkChange rest = a.change;
    rest.tx_checksum.reset();
    rest.bond_primary.reset();
    rest.ipv6_link_local.reset();
    if (rest.empty()) {
      return {};
    }
    LinkAttrs attrs;
    attrs.mtu = a.change.mtu;
    attrs.mac = a.change.mac;
    attrs.up = a.change.up;
    attrs.promisc = a.change.promisc;
    if (a.change.master) {
      if (a.change.master->empty()) {
        attrs.master_ifindex = 0;
      } else {
        const auto master = context_.ifindex(IfRef{a.ref.netns, *a.change.master});
        if (!master) {
          return tl::unexpected(master.error());
        }
        attrs.master_ifindex = *master;
      }
    }
    out_.first.push_back(plain(
        a.ref.netns, setLinkRequest(a.ref.name, attrs, {a.change.stp, a.change.vlan_filtering}),
        "changing " + what_));
    return {};
  }

  Status operator()(const plan::AddAddress& a) { return address(true, a.ref, a.address); }

  Status operator()(const plan::DeleteAddress& a) { return address(false, a.ref, a.address); }

  Status operator()(const plan::AddVxlanPeer& a) { return vxlanPeer(true, a.ref, a.peer); }

  Status operator()(const plan::DeleteVxlanPeer& a) { return vxlanPeer(false, a.ref, a.peer); }

  Status operator()(const plan::AddRoute& a) { return route(RouteOp::kAdd, a.netns, a.route); }

  Status operator()(const plan::DeleteRoute& a) {
    return route(RouteOp::kDelete, a.netns, a.route);
  }

  /// The same route replaced in place with the other protocol: its mark, or (the inverse) the
  /// protocol it had before `apply --adopt` took it.
  Status operator()(const plan::MarkRoute& a) {
    auto marked = a.route;
    marked.protocol = a.protocol;
    return route(RouteOp::kReplace, a.netns, marked);
  }

  /// nstopo's root qdisc, in order on one socket: the old root first when its kind changes (the
  /// kernel replaces a qdisc in place only with one of the same kind), then the new one under
  /// the same handle, then the rate child under a netem (or its removal).
  Status operator()(const plan::SetImpairment& a) {
    const auto device = context_.ifindex(a.ref);
    if (!device) {
      return tl::unexpected(device.error());
    }
    const auto qdisc = [&](Result<NlMsgPtr> message, std::string what,
                           bool tolerate_missing) -> Status {
      if (!message) {
        return tl::unexpected(message.error());
      }
      out_.first.push_back(Request{.netns = a.ref.netns,
                                   .message = std::move(*message),
                                   .action = index_,
                                   .what = std::move(what),
                                   .tolerate_missing = tolerate_missing});
      return {};
    };
    if (!a.after) {
      return qdisc(deleteQdiscRequest(*device, false), "removing " + what_, true);
    }
    const bool netem = a.after->needsNetem();
    if (a.before && (a.before->needsNetem() != netem || netemKeepsStale(*a.before, *a.after))) {
      if (auto ok = qdisc(deleteQdiscRequest(*device, false), "replacing " + what_, true); !ok) {
        return ok;
      }
    } else if (a.before && a.before->needsNetem() && a.before->rate && !a.after->rate) {
      if (auto ok = qdisc(deleteQdiscRequest(*device, true), "changing " + what_, true); !ok) {
        return ok;
      }
    }
    if (auto ok = qdisc(rootQdiscRequest(*device, *a.after), "setting " + what_, false); !ok) {
      return ok;
    }
    if (netem && a.after->rate) {
      return qdisc(rateChildRequest(*device, *a.after->rate), "setting the rate of " + what_,
                   false);
    }
    return {};
  }

  // Not netlink messages: the driver's namespace and sysctl methods, and the OVSDB driver.
  Status operator()(const plan::CreateNetns&) { return notHere(); }

  Status operator()(const plan::DeleteNetns&) { return notHere(); }

  Status operator()(const plan::SetSysctl&) { return notHere(); }

  Status operator()(const plan::CreateOvsBridge&) { return notHere(); }

  Status operator()(const plan::DeleteOvsBridge&) { return notHere(); }

  Status operator()(const plan::SetOvsBridge&) { return notHere(); }

  Status operator()(const plan::AddOvsPort&) { return notHere(); }

  Status operator()(const plan::DeleteOvsPort&) { return notHere(); }

  Status operator()(const plan::SetOvsPort&) { return notHere(); }

 private:
  /// A request that creates a link: undone if a later request of its action fails.
  Request creation(const std::string& netns, NlMsgPtr message) const {
    return Request{.netns = netns,
                   .message = std::move(message),
                   .action = index_,
                   .what = "creating " + what_,
                   .creates = true};
  }

  /// Switches off the link-local address of a link just created, before it comes up. A kernel
  /// without IPv6 makes none anyway.
  Request linkLocalOff(const IfRef& ref) const {
    Request request = plain(ref.netns, linkLocalRequest(ref.name, false),
                            "switching off the IPv6 link-local address of " + ref.str());
    request.tolerate_no_ipv6 = true;
    return request;
  }

  Request plain(const std::string& netns, NlMsgPtr message, std::string what) const {
    return Request{
        .netns = netns, .message = std::move(message), .action = index_, .what = std::move(what)};
  }

  Status address(bool add, const IfRef& ref, const IpAddress& ip) {
    const auto device = context_.ifindex(ref);
    if (!device) {
      return tl::unexpected(device.error());
    }
    auto message = addressRequest(add, *device, ip);
    if (!message) {
      return tl::unexpected(message.error());
    }
    out_.first.push_back(Request{.netns = ref.netns,
                                 .message = std::move(*message),
                                 .action = index_,
                                 .what = (add ? "adding " : "deleting ") + what_,
                                 .tolerate_missing = !add});
    return {};
  }

  Status vxlanPeer(bool add, const IfRef& ref, const IpAddress& peer) {
    const auto device = context_.ifindex(ref);
    if (!device) {
      return tl::unexpected(device.error());
    }
    out_.first.push_back(Request{.netns = ref.netns,
                                 .message = vxlanPeerRequest(add, *device, peer),
                                 .action = index_,
                                 .what = (add ? "adding " : "deleting ") + what_,
                                 .tolerate_missing = !add});
    return {};
  }

  Status route(RouteOp op, const std::string& netns, const state::RouteState& route) {
    int oif = 0;
    if (!route.dev.empty()) {
      const auto device = context_.ifindex(IfRef{netns, route.dev});
      if (!device) {
        return tl::unexpected(device.error());
      }
      oif = *device;
    }
    auto message = routeRequest(op, route, oif);
    if (!message) {
      return tl::unexpected(message.error());
    }
    const bool deleting = op == RouteOp::kDelete;
    out_.first.push_back(Request{.netns = netns,
                                 .message = std::move(*message),
                                 .action = index_,
                                 .what = (op == RouteOp::kAdd ? "adding "
                                          : deleting          ? "deleting "
                                                              : "") +
                                         what_,
                                 .tolerate_missing = deleting});
    return {};
  }

  Status notHere() const { return fail(ErrorKind::kBug, "netlink driver cannot batch " + what_); }

  std::size_t index_;
  std::string what_;
  const RequestContext& context_;
  LinkRequests& out_;
};

}  // namespace

std::uint32_t deleteGroup() {
  // Any fixed value could collide with a group someone uses on purpose, so it is drawn at
  // random once per process (from the upper half of the 32-bit range, away from the small
  // numbers people pick).
  static const std::uint32_t group = [] {
    std::random_device random;
    return 0x80000000U | (random() & 0x7fffffffU);
  }();
  return group;
}

std::uint32_t linkCreationGroup() {
  // Drawn like deleteGroup() (and never equal to it). The run writes it into its journal
  // first: if it is killed in between, the next run adopts an unmarked link of a journalled
  // name only when it is still in this group, never one made by someone else.
  static const std::uint32_t group = [] {
    std::random_device random;
    std::uint32_t drawn = 0x80000000U | (random() & 0x7fffffffU);
    return drawn == deleteGroup() ? drawn ^ 1U : drawn;
  }();
  return group;
}

std::set<IfRef> devicesNeeded(std::span<const plan::Action* const> batch) {
  std::set<IfRef> refs;
  auto add_dev = [&](const std::string& netns, const std::string& dev) {
    if (!dev.empty()) {
      refs.insert(IfRef{netns, dev});
    }
  };
  for (const auto* action : batch) {
    std::visit(Overloaded{
                   [&](const plan::AddAddress& a) { refs.insert(a.ref); },
                   [&](const plan::DeleteAddress& a) { refs.insert(a.ref); },
                   [&](const plan::AddVxlanPeer& a) { refs.insert(a.ref); },
                   [&](const plan::DeleteVxlanPeer& a) { refs.insert(a.ref); },
                   [&](const plan::SetImpairment& a) { refs.insert(a.ref); },
                   [&](const plan::AddRoute& a) { add_dev(a.netns, a.route.dev); },
                   [&](const plan::DeleteRoute& a) { add_dev(a.netns, a.route.dev); },
                   [&](const plan::MarkRoute& a) { add_dev(a.netns, a.route.dev); },
                   [&](const plan::CreateVeth& a) {
                     add_dev(a.a.ref.netns, a.a.master);
                     add_dev(a.b.ref.netns, a.b.master);
                   },
                   [&](const plan::SetLink& a) {
                     if (a.change.master) {
                       add_dev(a.ref.netns, *a.change.master);
                     }
                     if (a.change.bond_primary) {
                       add_dev(a.ref.netns, *a.change.bond_primary);
                     }
                   },
                   [&](const plan::CreateLink& a) {
                     if (a.lower) {
                       refs.insert(*a.lower);
                     }
                   },
                   [&](const plan::RenameLink& a) { refs.insert(a.from); },
                   // These name no device by index.
                   [](const plan::CreateNetns&) {},
                   [](const plan::DeleteNetns&) {},
                   [](const plan::CreateBridge&) {},
                   [](const plan::DeleteLink&) {},
                   [](const plan::MoveLink&) {},
                   [](const plan::SetSysctl&) {},
                   [](const plan::CreateOvsBridge&) {},
                   [](const plan::DeleteOvsBridge&) {},
                   [](const plan::SetOvsBridge&) {},
                   [](const plan::AddOvsPort&) {},
                   [](const plan::DeleteOvsPort&) {},
                   [](const plan::SetOvsPort&) {},
               },
               *action);
  }
  return refs;
}

/// libnl gives every message a buffer of a page, and a phase's requests all exist before it is
/// sent: 40,000 of them (a star of 10,000 namespaces) would hold 160 MB. Each is copied into a
/// buffer of its own length once built; the copy keeps the bytes, which is all the socket sends.
void compact(std::vector<Request>& requests, std::size_t from) {
  for (std::size_t i = from; i < requests.size(); ++i) {
    if (auto& message = requests[i].message) {
      if (NlMsgPtr copy{nlmsg_convert(nlmsg_hdr(message.get()))}) {
        message = std::move(copy);
      }
    }
  }
}

Status addRequests(const plan::Action& action, std::size_t index, const RequestContext& context,
                   LinkRequests& out) {
  const std::size_t first = out.first.size();
  const std::size_t then = out.then.size();
  auto built = std::visit(Builder(index, plan::describe(action), context, out), action);
  compact(out.first, first);
  compact(out.then, then);
  return built;
}

}  // namespace nstopo::netlink
