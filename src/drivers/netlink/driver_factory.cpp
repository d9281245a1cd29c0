// SPDX-License-Identifier: Apache-2.0
#include "nstopo/drivers/netlink.h"

#include "netlink_driver.h"

namespace nstopo::netlink {

Result<std::unique_ptr<apply::Driver>> makeDriver() {
  auto driver = NetlinkDriver::create();
  if (!driver) {
    return tl::unexpected(driver.error());
  }
  return std::unique_ptr<apply::Driver>(std::move(*driver));
}

}  // namespace nstopo::netlink
