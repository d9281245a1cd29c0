// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <linux/netlink.h>

#include <optional>
#include <span>
#include <string>

#include "nl_ptr.h"
#include "rtnl_socket.h"
#include "state_reader.h"

namespace nstopo::netlink {

/// RTM_GETNSID's answer for a namespace without an id there (NETNSA_NSID_NOT_ASSIGNED).
inline constexpr int kNoNsid = -1;

/// An empty RTM_*NSID message of `type` with `flags` (its rtgenmsg header only), or null when
/// out of memory.
[[nodiscard]] NlMsgPtr nsidMessage(int type, int flags);

/// The NETNSA_NSID of an RTM_NEWNSID or RTM_DELNSID message, or nothing when it has none.
[[nodiscard]] std::optional<int> nsidIn(const nlmsghdr& message);

/// The id the namespace of `socket` gives the namespace open at `netns_fd` (RTM_GETNSID),
/// kNoNsid when it gives it none, or nothing when the kernel does not answer.
[[nodiscard]] std::optional<int> nsidOf(RtnlSocket& socket, int netns_fd);

/// A namespace a read covers, by the descriptor the driver holds open for it.
struct OpenNetns {
  std::string name;
  int fd = -1;
};

/// Sets LinkState::link_netns of the unmarked links of `reading` (read through `socket`, in
/// that namespace) whose IFLA_LINK is another namespace's index: IFLA_LINK_NETNSID is that
/// namespace's id as this one knows it, and RTM_GETNSID asks this namespace for the id of each
/// of `read` by its descriptor. An id none of them has is a namespace outside the read: then
/// link_netns is "" and no index matches it. When the kernel does not answer, link_netns stays
/// unset and unmarked_peers falls back on indexes alone. Marked links are left alone: their
/// mark names their other end, and a lab of a thousand namespaces asks nothing.
void resolveLinkNetns(RtnlSocket& socket, NetnsReading& reading, std::span<const OpenNetns> read);

}  // namespace nstopo::netlink
