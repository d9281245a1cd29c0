// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace nstopo::sys {

/// Where the kernel says which modules are loaded, built in and loadable.
struct ModuleFiles {
  std::string loaded = "/proc/modules";
  std::string builtin;   ///< /lib/modules/RELEASE/modules.builtin
  std::string loadable;  ///< /lib/modules/RELEASE/modules.dep

  /// Those of the running kernel.
  [[nodiscard]] static ModuleFiles running();
};

/// True when `module` (modprobe's name) is a loadable module of the kernel that is not loaded
/// now: only root can load it, and a rootless lab needs it loaded beforehand. False when it is
/// loaded, built in, unknown to modules.dep, or the kernel has no loadable modules at all (then
/// the kernel's own answer decides).
[[nodiscard]] bool moduleNeedsLoading(const std::string& module,
                                      const ModuleFiles& files = ModuleFiles::running());

}  // namespace nstopo::sys
