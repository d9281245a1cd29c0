// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_sysctls.h"

#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {
namespace {

/// "ipv4" or "ipv6" when `key` is a forwarding key of that family, else nothing.
std::optional<std::string_view> forwardingFamily(std::string_view key) {
  if (key == "net.ipv4.ip_forward") {
    return "ipv4";
  }
  for (const std::string_view family : {"ipv4", "ipv6"}) {
    const std::string prefix = fmt::format("net.{}.conf.", family);
    if (key.starts_with(prefix) && key.ends_with(".forwarding") &&
        key.size() > prefix.size() + std::string_view(".forwarding").size()) {
      return family;
    }
  }
  return std::nullopt;
}

bool isAllForwarding(std::string_view key) {
  return key == "net.ipv4.ip_forward" || key == "net.ipv4.conf.all.forwarding" ||
         key == "net.ipv6.conf.all.forwarding";
}

}  // namespace

void validateForwardingSysctls(const Topology& topology, Diagnostics& problems) {
  for (const auto& [node_name, node] : topology.nodes) {
    if (node_name == kHostNode) {
      continue;  // refused whole by the validator: nstopo does not change the host's sysctls
    }
    for (const std::string_view family : {"ipv4", "ipv6"}) {
      const Sysctl* all = nullptr;
      for (const auto& sysctl : node.sysctls) {
        if (isAllForwarding(sysctl.key) && forwardingFamily(sysctl.key) == family) {
          all = &sysctl;
          break;
        }
      }
      if (all == nullptr) {
        continue;
      }
      for (const auto& sysctl : node.sysctls) {
        if (&sysctl == all || forwardingFamily(sysctl.key) != family ||
            normalizeSysctl(sysctl.value) == normalizeSysctl(all->value)) {
          continue;
        }
        problems.push_back(Error{
            ErrorKind::kInvalidTopology,
            fmt::format("sysctl '{}' of node '{}': {} cannot stay beside {}: {} (line {}): when "
                        "{}'s `all` forwarding changes, the kernel copies it to the default and "
                        "to every interface; give them one value, or leave this key out",
                        excerpt(sysctl.key), excerpt(node_name), excerpt(sysctl.value),
                        excerpt(all->key), excerpt(all->value), all->loc.line,
                        family == "ipv4" ? "IPv4" : "IPv6"),
            sysctl.loc, 0});
      }
    }
  }
}

}  // namespace nstopo::model
