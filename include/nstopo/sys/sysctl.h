// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"
#include "nstopo/sys/own_procfs.h"

namespace nstopo::sys {

/// /proc/sys as the calling thread's network namespace sees it, through the machine's procfs or
/// one of nstopo's own (own_procfs.h: the machine's makes each new namespace's first lookups walk
/// every other namespace's dentries). `key` is dotted: "net.ipv4.ip_forward". Use it from a
/// thread that has entered the namespace: the kernel picks the namespace at each lookup, by the
/// thread that looks. It does not own the procfs it looks through.
class SysctlDir {
 public:
  /// Through the procfs whose "sys" directory is `sys_fd`; -1 (the default): the machine's
  /// /proc/sys, for a key or two, where a procfs of its own costs more than it saves.
  explicit SysctlDir(int sys_fd = -1) : sys_fd_(sys_fd) {}

  /// Through the calling thread's procfs of its own for one more namespace
  /// (ownProcSysForNextNamespace), or the machine's where the kernel refuses one.
  [[nodiscard]] static SysctlDir forNextNamespace() {
    return SysctlDir(ownProcSysForNextNamespace().get());
  }

  /// The "sys" directory of the procfs of its own; -1 for the machine's.
  [[nodiscard]] int sysFd() const { return sys_fd_; }

  [[nodiscard]] Result<std::string> read(const std::string& key) const;
  [[nodiscard]] Status write(const std::string& key, const std::string& value) const;
  /// A per-device setting, "net/ipv6/conf/<device>/<setting>": a device's name may hold dots,
  /// which a dotted key would read as separators.
  [[nodiscard]] Status writeDevice(const std::string& family, const std::string& device,
                                   const std::string& setting, const std::string& value) const;

 private:
  [[nodiscard]] UniqueFd openKey(const std::string& key, int flags) const;
  [[nodiscard]] UniqueFd openPath(const std::string& relative, int flags) const;
  [[nodiscard]] Status writeAt(const std::string& relative, const std::string& label,
                               const std::string& value) const;

  int sys_fd_;
};

}  // namespace nstopo::sys
