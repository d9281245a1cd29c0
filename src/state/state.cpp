// SPDX-License-Identifier: Apache-2.0
#include "nstopo/state/state.h"

#include <sys/socket.h>

#include <fmt/format.h>

namespace nstopo::state {

std::string RouteState::key() const {
  std::string text = fmt::format("{} {} metric {}", family == AF_INET6 ? "ipv6" : "ipv4",
                                 is_default ? std::string("default") : to.cidr(), metric);
  return table == kMainTable ? text : text + fmt::format(" table {}", table);
}

std::string RouteState::str() const {
  std::string text = is_default ? std::string("default") : to.cidr();
  if (via) {
    text += " via " + via->str();
  }
  if (!dev.empty()) {
    text += " dev " + dev;
  }
  text += fmt::format(" metric {}", metric);
  return table == kMainTable ? text : text + fmt::format(" table {}", table);
}

}  // namespace nstopo::state
