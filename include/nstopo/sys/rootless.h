// SPDX-License-Identifier: Apache-2.0
// The private world of a rootless lab (issue 19, docs/rootless.md).
#pragma once

#include "nstopo/core/error.h"

namespace nstopo::sys {

/// Where a process is once enterRootlessWorld() returns.
struct RootlessWorld {
  /// True in the lab's process, which goes on to build the lab and run the command; false in
  /// the keeper, which only waited for it.
  bool inside = false;
  int exit_status = 0;  ///< the keeper's: the lab process's shellStatus()
};

/// Builds a world that ends with its last process: a user namespace where the caller is root
/// (unshareAsRoot), a mount namespace with tmpfs on /run and /etc/netns (/etc seen through an
/// overlay whose writes stay in /run when /etc/netns does not exist), a fresh sysfs, a network
/// namespace with `lo` up that plays the lab's host, a UTS namespace (a hostname of its own)
/// and a PID namespace. Its first process
/// (PID 1, with its own /proc) is the lab's; the caller becomes its keeper: it passes on SIGINT,
/// SIGTERM and SIGHUP, waits for it and returns its status. The lab process gets SIGKILL when
/// the keeper dies, and the kernel kills every process of a PID namespace with its PID 1, so
/// nothing can outlive them: not a service, not a daemon, not a namespace or a mount. Call it
/// while the process has one thread.
[[nodiscard]] Result<RootlessWorld> enterRootlessWorld();

}  // namespace nstopo::sys
