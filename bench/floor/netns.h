// SPDX-License-Identifier: Apache-2.0
// Named network namespaces made the way `ip netns add` and nstopo make them (unshare, then a
// bind mount at /run/netns/NAME on a shared /run/netns), on several threads at once.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/own_procfs.h"
#include "nstopo/sys/workers.h"

#include "rtnl.h"

namespace floor_bench {

using nstopo::UniqueFd;

inline constexpr const char* kNetnsDir = "/run/netns";

/// A namespace made here: its file.
struct Namespace {
  UniqueFd fd;
};

/// Makes /run/netns a shared mount point, as iproute2 and nstopo do.
void prepareNetnsDir();

/// Creates the named namespaces on worker threads. `inside(i, rtnl)` runs in namespace i before
/// it gets its name (sysctls, first requests), with a socket that is closed after it: a socket
/// kept per namespace would pass the limit of 20,000 open files at N = 10,000, as nstopo would.
std::vector<Namespace> createNamespaces(const std::vector<std::string>& names,
                                        const std::function<void(std::size_t, Rtnl&)>& inside);

/// Runs `work` with a new rtnetlink socket inside the namespace `netns`, closed after it. The
/// calling thread stays in that namespace: call it on worker threads only.
void withSocketInside(const Namespace& netns, const std::function<void(Rtnl&)>& work);

/// Writes `value` to /proc/sys/KEY (dots for slashes) in the calling thread's namespace, through
/// `proc_sys` when it is valid: nstopo's procfs of its own for the namespace
/// (nstopo/sys/own_procfs.h: the machine's makes each new namespace walk every other's dentries).
void writeSysctl(const UniqueFd& proc_sys, const std::string& key, const std::string& value);

/// nstopo's own worker loop (header-only): work(i) for i in [0, count) on up to eight threads,
/// the first exception rethrown to the caller.
using nstopo::sys::forEachOnWorkers;

/// Unmounts and removes /run/netns/NAME; the kernel frees the namespace when its last user goes.
void deleteNamespace(const std::string& name);

/// Every name under /run/netns.
std::vector<std::string> namedNamespaces();

}  // namespace floor_bench
