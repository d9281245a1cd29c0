// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace nstopo::sys {

/// True when `module` (modprobe's name) is a loadable module of the running kernel that is not
/// loaded now: only root can load it, and a rootless lab needs it loaded beforehand. False when
/// it is loaded, built in, or unknown to /lib/modules (then the kernel's own answer decides).
[[nodiscard]] bool moduleNeedsLoading(const std::string& module);

}  // namespace nstopo::sys
