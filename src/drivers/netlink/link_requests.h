// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/plan/action.h"

#include "link_messages.h"
#include "nl_ptr.h"

/// The netlink requests of the link, address and route actions: one builder per action, each
/// turning its action into the messages of the rounds NetlinkDriver sends them in.
namespace nstopo::netlink {

/// One request on the wire, tied back to the action it serves.
struct Request {
  std::string netns{};
  NlMsgPtr message{};
  std::size_t action = 0;
  std::string what{};             ///< for the error message
  bool tolerate_missing = false;  ///< deleting something already gone is success
  bool tolerate_no_ipv6 = false;  ///< EAFNOSUPPORT (a kernel without IPv6) is success
  bool creates = false;           ///< a creation to undo if a later request of it fails
  bool succeeded = false;
  std::string cleanup_netns{};  ///< where the created link ends up, when not `netns`
  std::string cleanup_name{};   ///< its name there (a temporary name before the rename)
};

/// A link created under a temporary name straight into its namespace: renamed there once its
/// index is known.
struct PendingRename {
  std::size_t action = 0;
  state::IfRef temporary{};
  std::string final_name{};
  LinkAttrs attrs{};  ///< the mark and up flag, sent with the rename
};

/// A RenameLink sent by index: a kernel before 6.2 refuses it (EBUSY) while the link is up.
struct InPlaceRename {
  std::size_t action = 0;
  int ifindex = 0;
};

/// A link tagged with deleteGroup(): every tagged link of a namespace goes in one request.
struct Deletion {
  std::string netns{};
  std::size_t action = 0;
};

/// TX checksum offload, changed through ethtool from inside the namespace.
struct Offload {
  std::size_t action = 0;
  state::IfRef ref{};
  bool on = true;
};

/// IPv6 on or off for a link (its disable_ipv6 sysctl), written between the two rounds: after
/// a new link exists and before its mark brings it up. Only a sysctl does it; netlink cannot.
struct Ipv6Switch {
  std::size_t action = 0;
  state::IfRef ref{};
  bool on = true;
};

/// The requests of one batch, by the round they go out in.
struct LinkRequests {
  std::vector<Request> first;  ///< creations, changes, deletion tags, addresses, routes
  std::vector<Request> then;   ///< marks and the peers' masters, once the devices exist
  std::vector<Deletion> deletions;
  std::vector<PendingRename> renames;
  std::vector<InPlaceRename> renamed;
  std::vector<Offload> offloads;
  std::vector<Ipv6Switch> ipv6_switches;
};

/// What the builders need from the driver.
struct RequestContext {
  /// The index of a device the batch names (devicesNeeded() resolved them beforehand).
  std::function<Result<int>(const state::IfRef&)> ifindex;
  /// A descriptor of the namespace, for requests that put a link there.
  std::function<Result<int>(const std::string&)> netns_fd;
};

/// The devices whose indexes the requests of `batch` need.
[[nodiscard]] std::set<state::IfRef> devicesNeeded(std::span<const plan::Action* const> batch);

/// Adds the requests of `action`, number `index` of its batch, to `out`. Fails when a device or
/// namespace it needs is missing, and for actions that are not netlink messages (namespaces,
/// sysctls and OVSDB rows have drivers or methods of their own).
[[nodiscard]] Status addRequests(const plan::Action& action, std::size_t index,
                                 const RequestContext& context, LinkRequests& out);

/// The interface group nstopo parks links in just before deleting them.
[[nodiscard]] std::uint32_t deleteGroup();
/// The interface group new links sit in from their creation until their mark is set.
[[nodiscard]] std::uint32_t linkCreationGroup();

}  // namespace nstopo::netlink
