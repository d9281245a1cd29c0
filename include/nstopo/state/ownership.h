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
/// Routes carry the routing protocol number kRouteProtocol.
namespace nstopo::state {

inline constexpr std::string_view kMarkPrefix = "nstopo:";
inline constexpr std::uint8_t kRouteProtocol = 152;  ///< unassigned in /etc/iproute2/rt_protos

struct Mark {
  std::string lab;
  std::optional<IfRef> peer;
};

[[nodiscard]] std::string makeMark(const std::string& lab);
[[nodiscard]] std::string makeVethMark(const std::string& lab, const IfRef& peer);
[[nodiscard]] std::optional<Mark> parseMark(std::string_view alias);

}  // namespace nstopo::state
