// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"

namespace nstopo::sys {

/// TX checksum offload of `ifname` in the calling thread's network namespace (ethtool ioctl;
/// call from a helper thread that entered the namespace).
[[nodiscard]] Result<bool> txChecksum(const std::string& ifname);
[[nodiscard]] Status setTxChecksum(const std::string& ifname, bool on);

}  // namespace nstopo::sys
