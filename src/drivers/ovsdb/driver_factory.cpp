// SPDX-License-Identifier: Apache-2.0
#include "nstopo/drivers/ovsdb.h"

#include "ovsdb_driver.h"

namespace nstopo::ovsdb {

std::unique_ptr<apply::Driver> makeDriver(const std::string& target, DeviceRemover remove_devices) {
  return std::make_unique<OvsdbDriver>(target, std::move(remove_devices));
}

}  // namespace nstopo::ovsdb
