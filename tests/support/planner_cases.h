// SPDX-License-Identifier: Apache-2.0
// The vocabulary of the planner's golden cases: a file's desired state, a plan as its rendered
// lines, and convergence through the in-memory FakeDriver.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/apply/engine.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/planner.h"
#include "nstopo/plan/render.h"
#include "nstopo/state/desired.h"
#include "nstopo/state/state_diff.h"

#include "support/fake_driver.h"
#include "support/topology_text.h"

namespace nstopo::planner_cases {

using testing::FakeDriver;

using support::desiredOf;

inline std::vector<std::string> lines(const plan::Plan& plan) {
  std::vector<std::string> out;
  for (const auto& step : plan.steps) {
    out.push_back(std::string(1, plan::glyph(step.change)) + " " + plan::describe(step.action));
  }
  return out;
}

inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

inline plan::Plan planFor(const state::State& desired, FakeDriver& kernel) {
  state::ReadScope scope;
  scope.all_named_netns = true;
  state::State actual;
  EXPECT_TRUE(kernel.read(scope, actual));
  auto result = plan::makePlan(desired, actual);
  EXPECT_TRUE(result.conflicts.empty());
  return result.plan;
}

/// Plans, applies through the fake kernel and checks a re-plan is empty.
inline void converge(const state::State& desired, FakeDriver& kernel) {
  const auto plan = planFor(desired, kernel);
  apply::Driver* drivers[] = {&kernel};
  const auto report = apply::applyPlan(plan, drivers, {});
  ASSERT_TRUE(report.ok()) << report.failure->message;
  EXPECT_TRUE(planFor(desired, kernel).empty())
      << ::testing::PrintToString(lines(planFor(desired, kernel)));
}

/// Applies `before`, then runs the edit to `after` failing at each of its steps in turn: every
/// rollback must leave the fake machine as it was, object for object (state::differences).
inline void expectExactRollbackAtEveryStep(const std::string& before, const std::string& after,
                                           const std::string& what) {
  FakeDriver probe;
  converge(desiredOf(before), probe);
  const std::size_t steps = planFor(desiredOf(after), probe).steps.size();
  ASSERT_GE(steps, 2U) << what;
  for (std::size_t n = 0; n < steps; ++n) {
    FakeDriver kernel;
    converge(desiredOf(before), kernel);
    state::ReadScope scope;
    scope.all_named_netns = true;
    state::State read_before;
    ASSERT_TRUE(kernel.read(scope, read_before));
    const auto plan = planFor(desiredOf(after), kernel);
    kernel.fail_at = kernel.calls + n;
    apply::Driver* drivers[] = {&kernel};
    const auto report = apply::applyPlan(plan, drivers, {});
    ASSERT_FALSE(report.ok()) << what;
    EXPECT_TRUE(report.rolled_back)
        << what << ", step " << n << ": "
        << (report.leftovers.empty() ? std::string() : report.leftovers.front().message);
    state::State read_after;
    ASSERT_TRUE(kernel.read(scope, read_after));
    EXPECT_EQ(state::differences(read_before, read_after), std::vector<std::string>{})
        << what << ", failure at step " << n << " of " << ::testing::PrintToString(lines(plan))
        << "; applied " << ::testing::PrintToString(kernel.log);
  }
}

}  // namespace nstopo::planner_cases
