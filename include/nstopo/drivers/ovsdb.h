// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "nstopo/apply/driver.h"
#include "nstopo/plan/action.h"

namespace nstopo::ovsdb {

/// Deletes the kernel devices of internal ports whose rows were just removed, ahead of
/// ovs-vswitchd (netlink::removeInternalDevices); failures are its own to ignore. The OVSDB
/// driver never touches the kernel itself, so the caller hands it this.
using DeviceRemover = std::function<void(std::span<const plan::InternalDevice>)>;

/// The Open vSwitch driver for the ovsdb-server at `target` ("unix:PATH"). Nothing is contacted
/// until a read or an apply needs it. With `remove_devices`, a transaction that removes internal
/// ports has their devices deleted between its commit and the wait for ovs-vswitchd.
[[nodiscard]] std::unique_ptr<apply::Driver> makeDriver(const std::string& target,
                                                        DeviceRemover remove_devices = {});

/// Where nstopo looks for ovsdb-server: --ovsdb, then $NSTOPO_OVSDB, then the system socket
/// when it answers, then the private instance of `nstopo ovs start`.
[[nodiscard]] std::string defaultTarget(const std::string& option);

/// "system" when this kernel has the openvswitch datapath module, else "netdev".
[[nodiscard]] std::string autoDatapath();

}  // namespace nstopo::ovsdb
