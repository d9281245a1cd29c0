// SPDX-License-Identifier: Apache-2.0
// Tearing a lab down, and knowing when the kernel has really finished: `ip netns del` (and any
// unmount of a namespace's file) returns at once, while the kernel cleans the namespace up
// (its devices, the root ends of its veths) later on a work queue.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "lab.h"

namespace floor_bench {

/// Removes the lab's namespaces and bridges and returns without waiting for the kernel.
void destroyLab(const Lab& lab);

/// Runs `action` (which deletes namespaces), then waits until the kernel has removed every
/// namespace named under /run/netns before it ran, and finished cleaning each up. Returns the
/// action's exit code, or 124 when the wait exceeds `timeout_seconds`.
///
/// How: each of those namespaces gets an id in this namespace (RTM_NEWNSID), whose removal the
/// kernel announces (RTM_DELNSID) when the namespace's cleanup starts. Cleanups run one batch
/// at a time on one ordered work queue, so once every lab id is gone a sentinel namespace is
/// released: its RTM_DELNSID comes only after the batches before it have finished.
int awaitTeardown(const std::function<int()>& action, int timeout_seconds);

}  // namespace floor_bench
