// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <span>

#include "nstopo/apply/driver.h"
#include "nstopo/core/error.h"
#include "nstopo/plan/action.h"

namespace nstopo::netlink {

/// The kernel driver: namespaces, links, addresses, routes and sysctls over rtnetlink. Fails
/// with one clear line when the process lacks CAP_NET_ADMIN or CAP_SYS_ADMIN.
[[nodiscard]] Result<std::unique_ptr<apply::Driver>> makeDriver();

/// Deletes the devices of OVS internal ports whose rows an OVSDB transaction has just removed,
/// several at a time, each from its namespace and only if it still has the index the plan read.
/// ovs-vswitchd would delete them one by one when it closes them, and each deletion waits about
/// 20 ms in the kernel; here they overlap. Every failure is ignored: a device left is deleted by
/// ovs-vswitchd, whose wait follows (the OVSDB driver's DeviceRemover).
void removeInternalDevices(std::span<const plan::InternalDevice> devices);

}  // namespace nstopo::netlink
