// SPDX-License-Identifier: Apache-2.0
#include "nstopo/state/unmarked_peers.h"

#include <vector>

namespace nstopo::state {
namespace {

std::vector<IfRef> candidates(const State& state, const IfRef& self, const LinkState& link) {
  std::vector<IfRef> found;
  for (const auto& [netns_name, netns] : state.netns) {
    // The reader tells the namespace the index is in when the kernel does (link_netns).
    if (link.link_netns && *link.link_netns != netns_name) {
      continue;
    }
    for (const auto& [name, other] : netns.links) {
      const IfRef ref{netns_name, name};
      if (ref == self || other.ifindex != link.link_ifindex) {
        continue;
      }
      // A veth's peer points back at it; a stacked link's parent may be of any kind.
      if (link.kind == LinkKind::kVeth &&
          (other.kind != LinkKind::kVeth || other.link_ifindex != link.ifindex ||
           (other.link_netns && *other.link_netns != self.netns))) {
        continue;
      }
      found.push_back(ref);
    }
  }
  return found;
}

}  // namespace

void pairUnmarkedLinks(State& state) {
  std::vector<std::pair<IfRef, IfRef>> veths;
  std::vector<std::pair<IfRef, IfRef>> lowers;
  for (const auto& [netns_name, netns] : state.netns) {
    for (const auto& [name, link] : netns.links) {
      // A stacked link whose IFLA_LINK is its own index has no lower; a veth's IFLA_LINK is its
      // peer's index in the peer's namespace, which may well equal its own
      // (`ip link add eth0 netns a type veth peer name eth0 netns b`).
      if (!link.owner.empty() || link.link_ifindex == 0 ||
          (link.kind != LinkKind::kVeth && link.link_ifindex == link.ifindex)) {
        continue;
      }
      const IfRef self{netns_name, name};
      const bool veth = link.kind == LinkKind::kVeth && !link.peer;
      const bool stacked = isStacked(link.kind) && !link.lower;
      if (!veth && !stacked) {
        continue;
      }
      const auto found = candidates(state, self, link);
      if (found.size() == 1) {
        (veth ? veths : lowers).emplace_back(self, found.front());
      }
    }
  }
  for (const auto& [self, other] : veths) {
    state.netns[self.netns].links[self.name].peer = other;
  }
  for (const auto& [self, other] : lowers) {
    state.netns[self.netns].links[self.name].lower = other;
  }
}

}  // namespace nstopo::state
