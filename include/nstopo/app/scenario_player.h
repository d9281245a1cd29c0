// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include "nstopo/core/error.h"
#include "nstopo/model/scenario.h"

/// Plays a scenario's events at their times (issue 14, part 2). Pure: the clock and the events'
/// effect are handed in, so the unit tests drive it with a fake clock.
namespace nstopo::app {

class ScenarioClock {
 public:
  virtual ~ScenarioClock() = default;
  /// Time since the scenario started.
  [[nodiscard]] virtual std::chrono::milliseconds elapsed() = 0;
  /// Waits until `elapsed()` reaches `at` (at once when it has); false when interrupted
  /// (SIGINT, SIGTERM) before or while waiting.
  [[nodiscard]] virtual bool waitUntil(std::chrono::milliseconds at) = 0;
};

struct PlayOutcome {
  std::size_t done = 0;          ///< events carried out
  bool interrupted = false;      ///< stopped by a signal before the end
  std::optional<Error> failure;  ///< the event that failed (events after it did not run)

  [[nodiscard]] bool ok() const { return !interrupted && !failure; }
};

/// Runs each event when its time comes, in order; `run` gets the event and the time it starts.
/// Stops at the first failure or interruption.
[[nodiscard]] PlayOutcome playScenario(
    const model::Scenario& scenario, ScenarioClock& clock,
    const std::function<Status(const model::ScenarioEvent&, std::chrono::milliseconds)>& run);

/// The clock of a real run: std::chrono::steady_clock from its construction, waits in slices of
/// at most 20 ms that end early when `interrupted` says so.
class SteadyScenarioClock final : public ScenarioClock {
 public:
  explicit SteadyScenarioClock(std::function<bool()> interrupted);
  [[nodiscard]] std::chrono::milliseconds elapsed() override;
  [[nodiscard]] bool waitUntil(std::chrono::milliseconds at) override;

 private:
  std::chrono::steady_clock::time_point start_;
  std::function<bool()> interrupted_;
};

}  // namespace nstopo::app
