// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

namespace nstopo::netlink {

/// Waits until the kernel has finished cleaning up every network namespace whose last reference
/// was dropped before wait(): their devices, a veth end in a namespace that stays among them,
/// are gone then. The kernel cleans namespaces up on one ordered work item (cleanup_net), a
/// batch at a time, and tells the namespaces that gave one of them an id that it goes
/// (RTM_DELNSID) when its batch starts. Two sentinel namespaces with ids in this one, dropped in
/// turn, mark the end: the second one's batch starts only once the first one's, which holds
/// every namespace dropped before it, has ended.
class CleanupBarrier {
 public:
  /// Makes the sentinels and gives them ids in the calling thread's namespace.
  [[nodiscard]] static Result<CleanupBarrier> prepare();

  /// Drops the sentinels in turn and waits for the kernel to start removing each, up to
  /// `timeout` in all.
  [[nodiscard]] Status wait(std::chrono::milliseconds timeout);

 private:
  struct Sentinel {
    UniqueFd fd;
    int nsid = -1;
  };

  CleanupBarrier() = default;
  [[nodiscard]] Status awaitRemoval(Sentinel& sentinel,
                                    std::chrono::steady_clock::time_point deadline);

  Sentinel first_;
  Sentinel second_;
  UniqueFd events_;  ///< joined to RTNLGRP_NSID before either sentinel is dropped
};

}  // namespace nstopo::netlink
