// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nstopo/apply/driver.h"

namespace nstopo::testing {

/// An in-memory kernel: applies actions to a State the way the netlink driver would, so
/// plan -> apply -> read -> plan can run without privileges. Can fail the Nth action.
class FakeDriver final : public apply::Driver {
 public:
  state::State world;
  std::vector<std::string> log;        ///< describe() of every action applied, in order
  std::optional<std::size_t> fail_at;  ///< 0-based index over all actions ever applied
  std::size_t calls = 0;

  // OVS: the datapath "auto" resolves to here.
  FakeDriver() { world.ovs_auto_datapath = "netdev"; }

  [[nodiscard]] bool handles(const plan::Action& action) const override;
  [[nodiscard]] Status read(const state::ReadScope& scope, state::State& into) override;
  [[nodiscard]] std::vector<Status> apply(std::span<const plan::Action* const> batch) override;

 private:
  Status applyOne(const plan::Action& action);
  /// Like the kernel: an internal port's device goes wherever it was moved, with its routes.
  void dropInternalDevice(const std::string& name);

  unsigned internal_devices_made_ = 0;  ///< each new internal device gets a MAC of its own
};

}  // namespace nstopo::testing
