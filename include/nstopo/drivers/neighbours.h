// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>

#include "nstopo/core/error.h"

/// The kernel's neighbour (ARP and NDP) caches of a lab's namespaces. The kernel keeps one IPv4
/// and one IPv6 neighbour table for the whole machine, bounded by gc_thresh3 across every
/// namespace; a lab of a thousand nodes that all talk at once fills it, and a packet whose entry
/// cannot be made is dropped (docs/performance.md, "Generated labs").
namespace nstopo::traffic {

/// The machine's bound on each neighbour table: net.ipv4.neigh.default.gc_thresh3, which only
/// the initial namespace can read; the kernel's default (1024) when this one cannot.
[[nodiscard]] std::size_t neighbourTableLimit();

/// Deletes the IPv4 and IPv6 neighbour entries the kernel learned in the namespace `netns_fd`
/// (every state but permanent and noarp: an entry someone set by hand stays). The next packet
/// simply resolves its neighbour again. Moves the calling thread into the namespace: call it
/// from a helper thread. Returns how many entries it asked the kernel to delete.
[[nodiscard]] Result<std::size_t> flushLearnedNeighbours(int netns_fd);

}  // namespace nstopo::traffic
