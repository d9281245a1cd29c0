// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "nstopo/model/link_kinds.h"

#include "nl_ptr.h"

namespace nstopo::netlink {

/// Attributes that can be given when creating a link or changed afterwards.
struct LinkAttrs {
  std::optional<std::uint32_t> mtu;
  std::optional<std::string> mac;  ///< "aa:bb:cc:dd:ee:ff"
  std::optional<bool> up;
  std::optional<int> master_ifindex;  ///< 0 releases from the current master
  std::optional<std::string> alias;
  std::optional<std::uint32_t> group;  ///< IFLA_GROUP, for deleting many links in one request
  std::optional<bool> promisc;
};

/// A link of a stacked or standalone kind to create.
struct NewLink {
  std::string name{};
  model::LinkKind kind = model::LinkKind::kMacvlan;
  model::LinkOptions options{};
  int lower_ifindex = 0;     ///< the parent of a stacked kind, 0 for a standalone one
  int target_netns_fd = -1;  ///< the namespace it is moved into at creation, -1 to stay
};

struct BridgeOptions {
  std::optional<bool> stp;
  std::optional<bool> vlan_filtering;
};

/// RTM_NEWLINK creating a Linux bridge, failing if the name is taken.
[[nodiscard]] NlMsgPtr newBridgeRequest(const std::string& name, const BridgeOptions& options,
                                        const LinkAttrs& attrs);

/// RTM_NEWLINK creating a veth pair whose second end goes straight into `peer_netns_fd`,
/// so no end is ever visible in the wrong namespace.
[[nodiscard]] NlMsgPtr newVethRequest(const std::string& name, const LinkAttrs& attrs,
                                      const std::string& peer_name, const LinkAttrs& peer_attrs,
                                      int peer_netns_fd);

/// RTM_NEWLINK creating a link of a stacked or standalone kind; its IFLA_LINKINFO comes from the
/// kind's codec (link_info.h).
[[nodiscard]] NlMsgPtr newLinkRequest(const NewLink& link, const LinkAttrs& attrs);

/// RTM_NEWLINK by index, renaming the link (it must be down) and changing `attrs`.
[[nodiscard]] NlMsgPtr renameLinkRequest(int ifindex, const std::string& new_name,
                                         const LinkAttrs& attrs);

/// RTM_NEWLINK without NLM_F_CREATE: changes an existing link found by name.
[[nodiscard]] NlMsgPtr setLinkRequest(const std::string& name, const LinkAttrs& attrs,
                                      const BridgeOptions& bridge = {});

/// RTM_NEWLINK without NLM_F_CREATE: whether the kernel gives the link `name` an IPv6
/// link-local address when it comes up (addr_gen_mode eui64 or none). A request of its own: in
/// a request that also brings the link up, the kernel applies the flags first, so the address
/// would already be made. A kernel without IPv6 answers EAFNOSUPPORT.
[[nodiscard]] NlMsgPtr linkLocalRequest(const std::string& name, bool on);

/// RTM_NEWLINK without NLM_F_CREATE: sets the primary member of the bond `name` to the link
/// `member_ifindex` (0 clears it).
[[nodiscard]] NlMsgPtr setBondPrimaryRequest(const std::string& name, int member_ifindex);

/// RTM_DELLINK of the link with index `ifindex` in the socket's namespace.
[[nodiscard]] NlMsgPtr deleteLinkByIndexRequest(int ifindex);

[[nodiscard]] NlMsgPtr deleteLinkRequest(const std::string& name);
/// RTM_NEWLINK moving the link `name` into the namespace `netns_fd` refers to.
[[nodiscard]] NlMsgPtr moveLinkRequest(const std::string& name, int netns_fd);
/// RTM_DELLINK of every link in `group`: the kernel unregisters them as one batch, which costs
/// one RCU grace period instead of one per link.
[[nodiscard]] NlMsgPtr deleteGroupRequest(std::uint32_t group);
[[nodiscard]] NlMsgPtr getLinkRequest(const std::string& name);

/// RTM_NEWLINK that names no link and has no NLM_F_CREATE, so the kernel can change nothing,
/// carrying the link kind `kind` with a malformed first kind attribute (empty). The kernel looks
/// the kind up (loading its module) and checks the kind's attributes before it looks for the
/// link: ERANGE ("Attribute failed policy validation") proves the kind is registered. Any other
/// answer (ENODEV for an unknown kind, or for a kind without attributes) proves nothing.
[[nodiscard]] NlMsgPtr kindCheckRequest(const std::string& kind);
[[nodiscard]] NlMsgPtr dumpRequest(int type, int family);

}  // namespace nstopo::netlink
