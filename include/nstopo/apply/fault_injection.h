// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>

#include "nstopo/apply/driver.h"

namespace nstopo::apply {

/// Wraps a driver and makes its Nth action (1-based, counted over the whole run) fail before it
/// reaches the inner driver. Used by the fault-injection tests through NSTOPO_FAULT_INJECT_AT;
/// every other action, including the rollback's, goes through untouched.
class FaultInjectingDriver final : public Driver {
 public:
  /// Drivers wrapped for one run share `seen`, so N counts across all of them.
  FaultInjectingDriver(Driver& inner, std::size_t fail_at, std::size_t& seen)
      : inner_(inner), fail_at_(fail_at), seen_(seen) {}

  [[nodiscard]] bool handles(const plan::Action& action) const override {
    return inner_.handles(action);
  }

  [[nodiscard]] Status read(const state::ReadScope& scope, state::State& into) override {
    return inner_.read(scope, into);
  }

  [[nodiscard]] std::vector<Status> apply(std::span<const plan::Action* const> batch) override;

  [[nodiscard]] std::uint32_t creationGroup() const override { return inner_.creationGroup(); }

 private:
  Driver& inner_;
  std::size_t fail_at_;
  std::size_t& seen_;
};

}  // namespace nstopo::apply
