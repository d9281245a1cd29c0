// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"

#include "rtnl_socket.h"

namespace nstopo::netlink {

/// "File exists (EEXIST)".
[[nodiscard]] std::string errnoText(int error);

/// An error for a refused operation: what was attempted, where, and the kernel's own words.
[[nodiscard]] Error kernelError(const std::string& what, const std::string& netns,
                                const NlReply& reply);

}  // namespace nstopo::netlink
