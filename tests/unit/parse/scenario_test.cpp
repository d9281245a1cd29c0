// SPDX-License-Identifier: Apache-2.0
// Run-time inputs (issue 14, part 2): scenario files with their places, lengths such as "2s",
// and an impairment given as options, checked with the file's own words.
#include "nstopo/parse/scenario.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace nstopo {
namespace {

std::vector<std::string> problemsOf(const std::string& text) {
  const auto scenario = parse::parseScenario(text, "s.yaml");
  std::vector<std::string> out;
  if (!scenario) {
    for (const auto& problem : scenario.error()) {
      out.push_back(formatError(problem));
    }
  }
  return out;
}

TEST(Scenario, ParsesEachKindOfEventInOrder) {
  const auto scenario = parse::parseScenario(
      "events:\n"
      "  - {at: 0s, link: r1:eth0, state: down}\n"
      "  - {at: 300ms, link: r1:eth0, state: up, one_end: true}\n"
      "  - {at: 1.5s, link: r2:eth1, impair: {delay: 50ms, rate: 10mbit}}\n"
      "  - {at: 2s, link: r2:eth1, impair: clear}\n"
      "  - {at: 1m, link: r1:eth0, restore: true}\n",
      "s.yaml");
  ASSERT_TRUE(scenario) << formatError(scenario.error().front());
  ASSERT_EQ(scenario->events.size(), 5U);
  const auto& events = scenario->events;
  EXPECT_EQ(events[0].at.count(), 0);
  EXPECT_EQ(events[0].target, (model::InterfaceName{"r1", "eth0"}));
  EXPECT_EQ(std::get<model::LinkStateEvent>(events[0].change),
            (model::LinkStateEvent{false, false}));
  EXPECT_EQ(std::get<model::LinkStateEvent>(events[1].change), (model::LinkStateEvent{true, true}));
  EXPECT_EQ(events[2].at.count(), 1500);
  const auto& impair = std::get<model::ImpairEvent>(events[2].change).impair;
  ASSERT_TRUE(impair.has_value());
  EXPECT_EQ(impair->delay_us, 50'000U);
  EXPECT_EQ(impair->rate, 10'000'000U);
  EXPECT_FALSE(std::get<model::ImpairEvent>(events[3].change).impair.has_value());
  EXPECT_TRUE(std::holds_alternative<model::RestoreEvent>(events[4].change));
  EXPECT_EQ(events[4].at.count(), 60'000);
  EXPECT_EQ(events[4].origin.line, 6);
  EXPECT_EQ(events[4].origin.column, 5);
}

TEST(Scenario, RefusesEachMistakeAtItsPlace) {
  EXPECT_EQ(
      problemsOf("events:\n  - {at: 5, link: r1:eth0, state: down}\n"),
      (std::vector<std::string>{"s.yaml:2:10: error: event at '5' has no unit (ms, s or m)"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 2h, link: r1:eth0, state: down}\n"),
            (std::vector<std::string>{
                "s.yaml:2:10: error: event at '2h' has an unknown unit 'h' (ms, s or m)"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 61m, link: r1:eth0, state: down}\n"),
            (std::vector<std::string>{"s.yaml:2:10: error: event at '61m' is more than 3600 s"}));
  EXPECT_EQ(
      problemsOf("events:\n  - {at: 1s, link: r1, state: down}\n"),
      (std::vector<std::string>{"s.yaml:2:20: error: event link 'r1' is not NODE:INTERFACE"}));
  EXPECT_EQ(
      problemsOf("events:\n  - {at: 1s, link: r1:eth0, state: sideways}\n"),
      (std::vector<std::string>{"s.yaml:2:36: error: event state 'sideways' is not up or down"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 1s, link: r1:eth0, state: down, restore: true}\n"),
            (std::vector<std::string>{
                "s.yaml:2:5: error: event needs exactly one of state, impair or restore"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 1s, link: r1:eth0}\n"),
            (std::vector<std::string>{
                "s.yaml:2:5: error: event needs exactly one of state, impair or restore"}));
  EXPECT_EQ(problemsOf("events:\n  - {link: r1:eth0, state: up}\n"),
            (std::vector<std::string>{"s.yaml:2:5: error: event needs 'at'"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 2s, link: a:b, state: up}\n"
                       "  - {at: 1s, link: a:b, state: down}\n"),
            (std::vector<std::string>{
                "s.yaml:3:10: error: event at 1000 ms comes before the previous event's 2000 ms"}));
  EXPECT_EQ(
      problemsOf("events:\n  - {at: 1s, link: a:b, impair: {delay: -5ms}}\n"),
      (std::vector<std::string>{"s.yaml:2:41: error: event impair delay '-5ms' is negative"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 1s, link: a:b, impair: {loss: 101%}}\n"),
            (std::vector<std::string>{"s.yaml:2:40: error: event impair loss '101%' "
                                      "probability: '101%' is more than 100%"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 1s, link: a:b, restore: false}\n"),
            (std::vector<std::string>{"s.yaml:2:34: error: event restore must be true (leave "
                                      "the event out instead)"}));
  EXPECT_EQ(problemsOf("events:\n  - {at: 1s, link: a:b, one_end: true, impair: clear}\n"),
            (std::vector<std::string>{"s.yaml:2:5: error: event one_end goes with state"}));
  EXPECT_EQ(problemsOf("evnts: []\n").size(), 1U);
  EXPECT_EQ(problemsOf("events: [\n"),
            (std::vector<std::string>{problemsOf("events: [\n").front()}));
  EXPECT_FALSE(problemsOf("- 1\n").empty());
  EXPECT_FALSE(problemsOf("").empty());
}

TEST(Scenario, TimeSpansAreStrict) {
  EXPECT_EQ(parse::parseTimeSpan("200ms").value().count(), 200);
  EXPECT_EQ(parse::parseTimeSpan("1.5s").value().count(), 1500);
  EXPECT_EQ(parse::parseTimeSpan("60m").value().count(), 3'600'000);
  EXPECT_EQ(parse::parseTimeSpan("0s").value().count(), 0);
  EXPECT_EQ(parse::parseTimeSpan("-1s").error(), "is negative");
  EXPECT_EQ(parse::parseTimeSpan("0.5ms").error(), "is not a whole number of milliseconds");
  EXPECT_EQ(parse::parseTimeSpan("2").error(), "has no unit (ms, s or m)");
  EXPECT_EQ(parse::parseTimeSpan("61m").error(), "is more than 3600 s");
}

TEST(Scenario, ImpairmentOptionsUseTheFilesWords) {
  const auto impair =
      parse::impairmentFromArguments({{"rate", "10mbit"}, {"delay", "50ms"}, {"loss", "1% 25%"}});
  ASSERT_TRUE(impair) << impair.error();
  EXPECT_EQ(impair->rate, 10'000'000U);
  EXPECT_EQ(impair->delay_us, 50'000U);
  EXPECT_EQ(impair->loss->probability, model::probabilityOf(1));
  EXPECT_EQ(parse::impairmentFromArguments({{"rate", "10mbps"}}).error(),
            "impair rate '10mbps' has an unknown unit 'mbps' (bit, kbit, mbit or gbit)");
  EXPECT_EQ(parse::impairmentFromArguments({{"rate", "0mbit"}}).error(),
            "impair rate '0mbit' is less than 8kbit");
  EXPECT_EQ(parse::impairmentFromArguments({{"jitter", "5ms"}}).error(),
            "impair: jitter needs a delay");
  EXPECT_EQ(parse::impairmentFromArguments({{"limit", "2000000"}}).error().substr(0, 12),
            "impair limit");
}

TEST(Scenario, FlapIsBoundedAndEndsUp) {
  const model::InterfaceName name{"a", "eth0"};
  const auto flap = model::flapScenario(name, std::chrono::milliseconds(200),
                                        std::chrono::milliseconds(300), 2, false);
  ASSERT_TRUE(flap);
  std::vector<std::pair<long, bool>> times;
  for (const auto& event : flap->events) {
    times.emplace_back(event.at.count(), std::get<model::LinkStateEvent>(event.change).up);
  }
  EXPECT_EQ(times, (std::vector<std::pair<long, bool>>{
                       {0, false}, {200, true}, {500, false}, {700, true}}));
  EXPECT_FALSE(model::flapScenario(name, std::chrono::milliseconds(1), std::chrono::milliseconds(1),
                                   0, false));
  EXPECT_FALSE(model::flapScenario(name, std::chrono::milliseconds(1), std::chrono::milliseconds(1),
                                   1001, false));
  EXPECT_EQ(model::flapScenario(name, std::chrono::minutes(30), std::chrono::minutes(30), 3, false)
                .error(),
            "the flap would take 9000 s, more than the 3600 s a run may");
}

}  // namespace
}  // namespace nstopo
