// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
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

/// Forks the command inside the namespace. The child keeps this process's stdio and default
/// signal dispositions; it says on stderr why it could not start and exits as a shell would:
/// 127 when the program is not found, 126 when it or the namespace cannot be entered. A refused
/// mount of the node view is only a warning: the command still runs in the right namespace.
[[nodiscard]] Result<ChildProcess> spawnInNetns(const NetnsCommand& command);

}  // namespace nstopo::sys
