// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <fcntl.h>
#include <sys/mount.h>

#include "nstopo/core/unique_fd.h"

/// A procfs of one's own for /proc/sys, header-only so bench/floor shares it (it links none of
/// nstopo's code).
///
/// Why: the machine's procfs keeps one dentry per namespace for each directory right under
/// /proc/sys/net (ipv4, ipv6, core...), all on one dcache hash chain, and the first lookup from
/// a new namespace walks that chain. The Nth namespace pays for the N-1 before it: at 3000
/// namespaces most of the time making them (docs/performance.md). A procfs mounted anew
/// (fsopen/fsmount: attached to no path, so nothing shows in the mount table, and gone when its
/// descriptor closes) starts with empty chains.
namespace nstopo::sys {

/// Namespaces that share a procfs of their own (ownProcSysForNextNamespace), so its chains stay
/// this short. Mounting one (with a first lookup and its teardown) took 47 us here, about what
/// a new namespace's first lookups through the machine's procfs cost with 50 namespaces there;
/// with 3000 they cost about 1.5 ms.
inline constexpr int kNamespacesPerProcfs = 16;

/// The "sys" directory of a new procfs; not valid where the kernel refuses one (a user namespace
/// that does not own the PID namespace, as in rootless labs).
inline UniqueFd openOwnProcSys() {
  const UniqueFd context(::fsopen("proc", FSOPEN_CLOEXEC));
  if (!context.valid() ||
      ::fsconfig(context.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return {};
  }
  const UniqueFd mount(::fsmount(context.get(), FSMOUNT_CLOEXEC, 0));
  if (!mount.valid()) {
    return {};
  }
  return UniqueFd(::openat(mount.get(), "sys", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
}

/// The calling thread's "sys" directory of a procfs of its own, for one more namespace: mounted
/// again after every kNamespacesPerProcfs namespaces, closed when the thread ends. Not valid
/// where the kernel refuses one.
inline const UniqueFd& ownProcSysForNextNamespace() {
  thread_local UniqueFd sys;
  thread_local int namespaces = kNamespacesPerProcfs;
  if (++namespaces > kNamespacesPerProcfs) {
    sys = openOwnProcSys();
    namespaces = 1;
  }
  return sys;
}

}  // namespace nstopo::sys
