// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>

#include "nstopo/apply/driver.h"

namespace nstopo::apply {

/// Wraps a driver and makes its Nth action (1-based, counted over the whole run, the rollback's
/// actions included) fail before it reaches the inner driver, and its Mth action report success
/// without reaching it (a silent loss, as a driver with a bug would cause). Used by the
/// fault-injection tests through NSTOPO_FAULT_INJECT_AT and NSTOPO_FAULT_DROP_AT; every other
/// action goes through untouched.
class FaultInjectingDriver final : public Driver {
 public:
  /// Drivers wrapped for one run share `seen`, so N and M count across all of them. 0 is never.
  FaultInjectingDriver(Driver& inner, std::size_t fail_at, std::size_t drop_at, std::size_t& seen)
      : inner_(inner), fail_at_(fail_at), drop_at_(drop_at), seen_(seen) {}

  [[nodiscard]] bool handles(const plan::Action& action) const override {
    return inner_.handles(action);
  }

  [[nodiscard]] Status read(const state::ReadScope& scope, state::State& into) override {
    return inner_.read(scope, into);
  }

  [[nodiscard]] std::vector<Status> apply(std::span<const plan::Action* const> batch) override;

  [[nodiscard]] std::uint32_t creationGroup() const override { return inner_.creationGroup(); }

  [[nodiscard]] std::uint32_t deletionGroup() const override { return inner_.deletionGroup(); }

 private:
  Driver& inner_;
  std::size_t fail_at_;
  std::size_t drop_at_;
  std::size_t& seen_;
};

}  // namespace nstopo::apply
