// SPDX-License-Identifier: Apache-2.0
// The scenario player (issue 14, part 2) on a fake clock: events at their times, in order;
// a failure or an interruption stops it.
#include "nstopo/app/scenario_player.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace nstopo {
namespace {

using std::chrono::milliseconds;

/// Time moves only when the player waits; it can be interrupted at a given wait.
class FakeClock final : public app::ScenarioClock {
 public:
  milliseconds now{0};
  std::vector<long> waits;
  std::optional<std::size_t> interrupt_at_wait;

  milliseconds elapsed() override { return now; }

  bool waitUntil(milliseconds at) override {
    if (interrupt_at_wait && waits.size() == *interrupt_at_wait) {
      return false;
    }
    waits.push_back(at.count());
    now = std::max(now, at);
    return true;
  }
};

model::Scenario threeEvents() {
  model::Scenario scenario;
  const model::InterfaceName name{"a", "eth0"};
  scenario.events.push_back({milliseconds(0), name, model::LinkStateEvent{false, false}, {}});
  scenario.events.push_back({milliseconds(300), name, model::LinkStateEvent{true, false}, {}});
  scenario.events.push_back({milliseconds(1000), name, model::RestoreEvent{}, {}});
  return scenario;
}

TEST(ScenarioPlayer, RunsEachEventAtItsTime) {
  FakeClock clock;
  std::vector<std::string> log;
  const auto outcome = app::playScenario(
      threeEvents(), clock, [&](const model::ScenarioEvent& event, milliseconds at) -> Status {
        log.push_back(std::to_string(at.count()) + " " + model::eventText(event.change));
        return {};
      });
  EXPECT_TRUE(outcome.ok());
  EXPECT_EQ(outcome.done, 3U);
  EXPECT_EQ(log, (std::vector<std::string>{"0 down", "300 up", "1000 restore the file's state"}));
}

TEST(ScenarioPlayer, StopsAtTheFirstFailure) {
  FakeClock clock;
  std::size_t runs = 0;
  const auto outcome = app::playScenario(threeEvents(), clock,
                                         [&](const model::ScenarioEvent&, milliseconds) -> Status {
                                           if (++runs == 2) {
                                             return fail(ErrorKind::kKernel, "refused");
                                           }
                                           return {};
                                         });
  EXPECT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.done, 1U);
  ASSERT_TRUE(outcome.failure.has_value());
  EXPECT_EQ(outcome.failure->message, "refused");
  EXPECT_EQ(clock.waits, (std::vector<long>{0, 300}));
}

TEST(ScenarioPlayer, AnInterruptionStopsBeforeTheNextEvent) {
  FakeClock clock;
  clock.interrupt_at_wait = 2;
  std::size_t runs = 0;
  const auto outcome =
      app::playScenario(threeEvents(), clock, [&](const model::ScenarioEvent&, milliseconds) {
        ++runs;
        return Status{};
      });
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_FALSE(outcome.failure.has_value());
  EXPECT_EQ(outcome.done, 2U);
  EXPECT_EQ(runs, 2U);
}

TEST(ScenarioPlayer, TheSteadyClockEndsItsWaitWhenInterrupted) {
  bool stop = false;
  app::SteadyScenarioClock clock([&] { return stop; });
  EXPECT_TRUE(clock.waitUntil(milliseconds(0)));
  stop = true;
  const auto before = std::chrono::steady_clock::now();
  EXPECT_FALSE(clock.waitUntil(milliseconds(60'000)));
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(1));
}

}  // namespace
}  // namespace nstopo
