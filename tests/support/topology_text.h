// SPDX-License-Identifier: Apache-2.0
// A topology given as YAML text, the way the CLI reads a file: parsed, then validated. The one
// place tests turn text into problems, a valid Topology or its desired state.
#pragma once

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/state/desired.h"

namespace nstopo::support {

/// Every problem of `yaml` as the CLI prints it: the parser's, or when it has none the
/// validator's, each "lab.yaml:LINE:COLUMN: ...".
inline std::vector<std::string> problemsOf(const std::string& yaml,
                                           const model::ValidateOptions& options = {}) {
  auto loaded = parse::parseTopology(yaml, "lab.yaml");
  if (loaded.problems.empty()) {
    loaded.problems = model::validate(loaded.topology, options);
  }
  std::vector<std::string> out;
  for (const auto& problem : loaded.problems) {
    out.push_back(formatError(problem));
  }
  return out;
}

/// The one problem of `yaml` (a test failure when there are none or several).
inline std::string onlyProblemOf(const std::string& yaml) {
  const auto problems = problemsOf(yaml);
  EXPECT_EQ(problems.size(), 1U) << ::testing::PrintToString(problems);
  return problems.empty() ? "" : problems.front();
}

/// The topology of `yaml`, which must parse and validate without a problem.
inline model::Topology validTopology(const std::string& yaml) {
  auto loaded = parse::parseTopology(yaml, "lab.yaml");
  const auto problems = problemsOf(yaml);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  if (loaded.problems.empty()) {
    (void)model::validate(loaded.topology);  // as the CLI does before it plans
  }
  return loaded.topology;
}

/// The desired state of a valid `yaml`.
inline state::State desiredOf(const std::string& yaml) {
  return state::desiredState(validTopology(yaml));
}

}  // namespace nstopo::support
