// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/sys/process.h"

namespace nstopo::sys {

/// A command to run inside a network namespace, as `ip netns exec` runs it.
struct NetnsCommand {
  std::string node;  ///< the namespace's name: for messages and /etc/netns/NODE
  int netns_fd = -1;
  /// What `ip netns exec` adds after entering: a private mount namespace whose /sys lists the
  /// node's interfaces, and the files of /etc/netns/NODE over /etc. Off for the host.
  bool node_view = true;
  std::vector<std::string> argv;  ///< a PATH lookup, no shell
};

/// The files of /etc/netns/NODE that `ip netns exec` lays over /etc: (from, to) pairs. Read
/// before a fork: the child only mounts.
using Overlays = std::vector<std::pair<std::string, std::string>>;
[[nodiscard]] Overlays etcOverlays(const std::string& node);

/// In a forked child, after it entered the node's network namespace: a private mount namespace
/// with the node's /sys and `overlays` bound over /etc, as `ip netns exec` makes. Best effort: a
/// refused mount is a warning on stderr, and the program still runs in the right namespace.
void mountNodeView(const std::string& node, const Overlays& overlays);

/// Forks the command inside the namespace. The child keeps this process's stdio and default
/// signal dispositions; it says on stderr why it could not start and exits as a shell would:
/// 127 when the program is not found, 126 when it or the namespace cannot be entered. A refused
/// mount of the node view is only a warning: the command still runs in the right namespace.
[[nodiscard]] Result<ChildProcess> spawnInNetns(const NetnsCommand& command);

}  // namespace nstopo::sys
