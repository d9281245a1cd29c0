// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <netlink/msg.h>

#include "nstopo/model/link_kinds.h"

/// The netlink codec of link kinds: IFLA_LINKINFO of a new link, and the options read back from
/// a dump. One encoder and one decoder per options type (link_kinds.h), and nowhere else turns
/// an option into kernel numbers.
namespace nstopo::netlink {

/// Appends IFLA_LINKINFO for a new link of `kind`: IFLA_INFO_KIND from the table of kinds, and
/// IFLA_INFO_DATA when the options have any. `lower_ifindex` is the parent of a stacked kind
/// (0 for none): a VXLAN names its underlay inside its data (IFLA_VXLAN_LINK), not in IFLA_LINK.
void putLinkInfo(nl_msg* msg, model::LinkKind kind, const model::LinkOptions& options,
                 int lower_ifindex = 0);

/// The options of a link of `kind` from its IFLA_INFO_DATA (null when the kernel sent none):
/// the kernel's defaults for what is missing.
[[nodiscard]] model::LinkOptions decodeLinkInfoData(model::LinkKind kind, nlattr* data);

/// The parent a kind names inside its IFLA_INFO_DATA (a VXLAN's IFLA_VXLAN_LINK), 0 when it
/// names none there (the others' parent is IFLA_LINK).
[[nodiscard]] int lowerInLinkInfoData(model::LinkKind kind, nlattr* data);

/// Appends IFLA_LINKINFO changing a bond's primary member (IFLA_BOND_PRIMARY, the member's
/// ifindex; 0 clears it: the kernel then finds no device and takes "" as no primary).
void putBondPrimary(nl_msg* msg, int member_ifindex);

/// A bond's primary member from its IFLA_INFO_DATA, 0 when there is none: the kernel reports
/// one only while it is an enslaved member.
[[nodiscard]] int bondPrimaryInLinkInfoData(model::LinkKind kind, nlattr* data);

}  // namespace nstopo::netlink
