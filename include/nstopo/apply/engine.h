// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nstopo/apply/driver.h"
#include "nstopo/core/error.h"
#include "nstopo/plan/plan.h"

namespace nstopo::apply {

struct ApplyOptions {
  /// Polled between phases; when it returns true the run stops and rolls back.
  std::function<bool()> interrupted;
  /// Called after each phase with the number of steps done so far (progress display).
  std::function<void(std::size_t done, std::size_t total)> progress;
  bool rollback_on_failure = true;
};

struct ApplyReport {
  std::size_t applied = 0;       ///< steps that took effect (before any rollback)
  std::optional<Error> failure;  ///< the first step that failed, or the interruption
  std::optional<std::size_t> failed_step;
  bool rolled_back = false;      ///< every applied step was undone
  std::vector<Error> leftovers;  ///< undo steps that failed: what is left on the machine

  [[nodiscard]] bool ok() const { return !failure; }
};

/// Undoes every step of an applied plan, newest first (used when verification after a
/// successful run finds the machine does not match). Returns the undo steps that failed.
[[nodiscard]] std::vector<Error> undoPlan(const plan::Plan& plan, std::span<Driver* const> drivers);

/// Runs the plan phase by phase, handing each batch to the driver that handles it. On a failure
/// (or interruption) it undoes the steps already applied, newest first.
[[nodiscard]] ApplyReport applyPlan(const plan::Plan& plan, std::span<Driver* const> drivers,
                                    const ApplyOptions& options);

}  // namespace nstopo::apply
