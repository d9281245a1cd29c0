// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <optional>
#include <string>

#include "nstopo/apply/driver.h"
#include "nstopo/drivers/ovsdb.h"

#include "ovsdb_wire.h"

namespace nstopo::ovsdb {

/// The key nstopo puts into external_ids of every Bridge, Port and Interface row it creates.
inline constexpr const char* kLabKey = "nstopo-lab";

/// Open vSwitch bridges and ports through ovsdb-server. Each phase's OVS actions go in one
/// transaction, followed by a bounded wait for ovs-vswitchd to apply it and a check of every new
/// interface's ofport and error.
class OvsdbDriver final : public apply::Driver {
 public:
  /// `target` is "unix:PATH". Nothing is contacted until a read or an apply needs it.
  explicit OvsdbDriver(std::string target, DeviceRemover remove_devices = {})
      : target_(std::move(target)), remove_devices_(std::move(remove_devices)) {}

  [[nodiscard]] bool handles(const plan::Action& action) const override;
  [[nodiscard]] Status read(const state::ReadScope& scope, state::State& into) override;
  [[nodiscard]] std::vector<Status> apply(std::span<const plan::Action* const> batch) override;

 private:
  [[nodiscard]] Result<Connection*> connection();
  /// apply() without its guard: throws when the server's replies have the wrong shape.
  [[nodiscard]] std::vector<Status> applyBatch(std::span<const plan::Action* const> batch);
  /// Waits, bounded by a time that grows with `changes`, until ovs-vswitchd has applied the
  /// last transaction; then checks that each new interface got an OpenFlow port.
  [[nodiscard]] Status waitForVswitchd(const std::vector<std::string>& new_interfaces,
                                       std::size_t changes);

  std::string target_;
  DeviceRemover remove_devices_;
  std::optional<Connection> connection_;
};

}  // namespace nstopo::ovsdb
