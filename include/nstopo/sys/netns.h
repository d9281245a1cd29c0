// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

namespace nstopo::sys {

/// Where `ip netns` keeps its namespace files.
inline constexpr const char* kNetnsRunDir = "/run/netns";

/// Opens /run/netns/NAME without following symlinks and checks it is a namespace file.
[[nodiscard]] Result<UniqueFd> openNamedNetns(const std::string& name);

/// True when /run/netns/NAME is a mounted namespace (not debris of an interrupted creation).
[[nodiscard]] bool namedNetnsExists(const std::string& name);

/// True when /run/netns/NAME is an empty, unmounted regular file: what a run killed between
/// creating the file and mounting the namespace, or between unmounting and unlinking it, leaves.
[[nodiscard]] bool leftoverNetnsFile(const std::string& name);

/// The namespace this process started in (the "host" node).
[[nodiscard]] Result<UniqueFd> openOwnNetns();

/// Creates a namespace exactly as `ip netns add NAME` does, so `ip netns exec` and `ip -n` work.
/// Runs in the calling thread, which must be a helper thread: it is left inside the new netns.
/// `prepare` runs in there before the namespace is bind-mounted under /run/netns, so what it sets
/// up is there before any other process, or a later run, can see the namespace by its name.
/// When `prepare` fails, nothing is left.
[[nodiscard]] Result<UniqueFd> createNamedNetnsInThisThread(const std::string& name,
                                                            const std::function<Status()>& prepare);

/// Unmounts and unlinks /run/netns/NAME as `ip netns delete` does.
[[nodiscard]] Status deleteNamedNetns(const std::string& name);

/// Names under /run/netns (empty when the directory does not exist).
[[nodiscard]] std::vector<std::string> listNamedNetns();

/// Runs `work` on a short-lived thread, so setns() never touches the main thread's namespace.
void runOnHelperThread(const std::function<void()>& work);

/// Moves the calling (helper) thread into the namespace `netns_fd` refers to.
[[nodiscard]] Status enterNetns(int netns_fd, const std::string& name);

}  // namespace nstopo::sys
