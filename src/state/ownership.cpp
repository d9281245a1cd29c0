// SPDX-License-Identifier: Apache-2.0
#include "nstopo/state/ownership.h"

#include "nstopo/core/names.h"

namespace nstopo::state {

std::string makeMark(const std::string& lab) {
  return std::string(kMarkPrefix) + lab;
}

std::string makeVethMark(const std::string& lab, const IfRef& peer) {
  return makeMark(lab) + ":" + peer.netns + "/" + peer.name;
}

std::optional<Mark> parseMark(std::string_view alias) {
  if (alias.substr(0, kMarkPrefix.size()) != kMarkPrefix) {
    return std::nullopt;
  }
  alias.remove_prefix(kMarkPrefix.size());
  Mark mark;
  const auto colon = alias.find(':');
  mark.lab = ownerFrom(alias.substr(0, colon));
  if (mark.lab.empty()) {
    return std::nullopt;
  }
  if (colon != std::string_view::npos) {
    const auto peer = alias.substr(colon + 1);
    const auto slash = peer.find('/');
    if (slash == std::string_view::npos) {
      return std::nullopt;
    }
    IfRef ref{std::string(peer.substr(0, slash)), std::string(peer.substr(slash + 1))};
    // The peer names a namespace (a path under /run/netns) and an interface in it.
    if (netnsNameProblem(ref.netns) || ifNameProblem(ref.name)) {
      return std::nullopt;
    }
    mark.peer = std::move(ref);
  }
  return mark;
}

std::string ownerFrom(std::string_view lab) {
  return labNameProblem(lab) ? std::string() : std::string(lab);
}

}  // namespace nstopo::state
