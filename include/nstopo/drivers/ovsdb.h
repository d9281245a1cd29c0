// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <memory>
#include <string>

#include "nstopo/apply/driver.h"

namespace nstopo::ovsdb {

/// The Open vSwitch driver for the ovsdb-server at `target` ("unix:PATH"). Nothing is contacted
/// until a read or an apply needs it.
[[nodiscard]] std::unique_ptr<apply::Driver> makeDriver(const std::string& target);

/// Where nstopo looks for ovsdb-server: --ovsdb, then $NSTOPO_OVSDB, then the system socket
/// when it answers, then the private instance of `nstopo ovs start`.
[[nodiscard]] std::string defaultTarget(const std::string& option);

/// "system" when this kernel has the openvswitch datapath module, else "netdev".
[[nodiscard]] std::string autoDatapath();

}  // namespace nstopo::ovsdb
