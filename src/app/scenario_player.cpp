// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/scenario_player.h"

#include <algorithm>
#include <thread>

namespace nstopo::app {

PlayOutcome playScenario(
    const model::Scenario& scenario, ScenarioClock& clock,
    const std::function<Status(const model::ScenarioEvent&, std::chrono::milliseconds)>& run) {
  PlayOutcome outcome;
  for (const auto& event : scenario.events) {
    if (!clock.waitUntil(event.at)) {
      outcome.interrupted = true;
      return outcome;
    }
    if (auto ok = run(event, clock.elapsed()); !ok) {
      outcome.failure = ok.error();
      return outcome;
    }
    ++outcome.done;
  }
  return outcome;
}

SteadyScenarioClock::SteadyScenarioClock(std::function<bool()> interrupted)
    : start_(std::chrono::steady_clock::now()), interrupted_(std::move(interrupted)) {}

std::chrono::milliseconds SteadyScenarioClock::elapsed() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start_);
}

bool SteadyScenarioClock::waitUntil(std::chrono::milliseconds at) {
  constexpr auto kSlice = std::chrono::milliseconds(20);
  while (true) {
    if (interrupted_ && interrupted_()) {
      return false;
    }
    const auto left = at - elapsed();
    if (left.count() <= 0) {
      return true;
    }
    std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(kSlice)));
  }
}

}  // namespace nstopo::app
