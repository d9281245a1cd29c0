// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "nstopo/state/state.h"

/// How nstopo marks what it creates, so it never touches what it did not create.
/// Interfaces and the loopback of every namespace carry an alias (IFLA_IFALIAS):
///   "nstopo:<lab>"                       bridges, namespaces (on lo)
///   "nstopo:<lab>:<peer-netns>/<peer>"   veth ends, naming the other end
/// Routes carry the routing protocol number kRouteProtocol (state.h).
namespace nstopo::state {

inline constexpr std::string_view kMarkPrefix = "nstopo:";

struct Mark {
  std::string lab;
  std::optional<IfRef> peer;
};

[[nodiscard]] std::string makeMark(const std::string& lab);
[[nodiscard]] std::string makeVethMark(const std::string& lab, const IfRef& peer);
/// The mark in an interface alias, or nothing when the alias is not a mark nstopo could have
/// written. Anyone with CAP_NET_ADMIN in a namespace can set an alias, and the lab name becomes a
/// path under /run/nstopo: a lab that fails the lab-name rules (names.h) makes the object
/// foreign, and so does a peer whose namespace or interface name nstopo would never use.
[[nodiscard]] std::optional<Mark> parseMark(std::string_view alias);

/// `lab` when it is a valid lab name, else "" (foreign): for owners read from anywhere else,
/// such as an OVSDB row's external_ids:nstopo-lab.
[[nodiscard]] std::string ownerFrom(std::string_view lab);

}  // namespace nstopo::state
