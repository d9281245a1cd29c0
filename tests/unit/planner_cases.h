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

#include "fakes/fake_driver.h"

namespace nstopo::planner_cases {

using testing::FakeDriver;

inline state::State desiredOf(const std::string& yaml) {
  auto loaded = parse::parseTopology(yaml, "lab.yaml");
  EXPECT_TRUE(loaded.problems.empty());
  auto problems = model::validate(loaded.topology);
  EXPECT_TRUE(problems.empty()) << (problems.empty() ? "" : formatError(problems.front()));
  return state::desiredState(loaded.topology);
}

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

}  // namespace nstopo::planner_cases
