// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/core/error.h"
#include "nstopo/sys/errno_text.h"

#include "rtnl_socket.h"

namespace nstopo::netlink {

using sys::errnoText;

/// An error for a refused operation: what was attempted, where, and the kernel's own words.
[[nodiscard]] Error kernelError(const std::string& what, const std::string& netns,
                                const NlReply& reply);

}  // namespace nstopo::netlink
