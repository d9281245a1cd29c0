// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

namespace nstopo::sys {

/// /proc/sys as the calling thread's network namespace sees it. `key` is dotted:
/// "net.ipv4.ip_forward". Use it from a thread that has entered the namespace (the kernel picks
/// the namespace at each lookup, by the thread that looks).
///
/// Why a procfs of its own: the machine's procfs keeps one dentry per namespace for each
/// directory right under /proc/sys/net (ipv4, ipv6, core...), all on one dcache hash chain, and
/// the first lookup from a new namespace walks that chain. The Nth namespace pays for the N-1
/// before it: at 3000 namespaces most of the time making them (docs/performance.md). A procfs
/// mounted for one namespace (fsopen/fsmount: attached to no path, gone when closed) starts
/// with empty chains. Where the kernel refuses one (a user namespace that does not own the pid
/// namespace, as in rootless labs), the machine's /proc/sys serves.
class SysctlDir {
 public:
  /// Namespaces that share a procfs of their own (forNextNamespace), so its chains stay this
  /// short. Mounting one (and a first lookup, and its teardown) took 47 us here, about what a
  /// new namespace's first lookups through the machine's procfs cost with 50 namespaces there;
  /// with 3000 they cost about 1.5 ms.
  static constexpr int kNamespacesPerProcfs = 16;

  /// A procfs of its own when the kernel gives one, else the machine's /proc/sys.
  [[nodiscard]] static SysctlDir open();
  /// The calling thread's, for one more namespace: a procfs of its own, mounted again after
  /// every kNamespacesPerProcfs namespaces, and closed when the thread ends.
  [[nodiscard]] static const SysctlDir& forNextNamespace();

  /// The machine's /proc/sys.
  [[nodiscard]] static SysctlDir shared() { return {}; }

  /// Whether the lookups go through a procfs of its own.
  [[nodiscard]] bool ownProcfs() const { return sys_.valid(); }

  /// The "sys" directory of the procfs of its own; -1 for the machine's.
  [[nodiscard]] int sysFd() const { return sys_.get(); }

  [[nodiscard]] Result<std::string> read(const std::string& key) const;
  [[nodiscard]] Status write(const std::string& key, const std::string& value) const;

 private:
  SysctlDir() = default;

  [[nodiscard]] UniqueFd openKey(const std::string& key, int flags) const;

  UniqueFd sys_;  ///< "sys" of the own procfs; not valid: the machine's /proc/sys
};

/// Through the machine's /proc/sys: for a single key, where a procfs of its own costs more than
/// it saves.
[[nodiscard]] Result<std::string> readSysctl(const std::string& key);
[[nodiscard]] Status writeSysctl(const std::string& key, const std::string& value);

}  // namespace nstopo::sys
