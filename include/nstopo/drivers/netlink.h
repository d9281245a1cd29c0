// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>

#include "nstopo/apply/driver.h"
#include "nstopo/core/error.h"

namespace nstopo::netlink {

/// The kernel driver: namespaces, links, addresses, routes and sysctls over rtnetlink. Fails
/// with one clear line when the process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN.
[[nodiscard]] Result<std::unique_ptr<apply::Driver>> makeDriver();

}  // namespace nstopo::netlink
