// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "nstopo/plan/plan.h"

namespace nstopo::plan {

struct RenderOptions {
  bool color = false;
};

/// "+ netns ns1" lines, one per step, then "Plan: 3 to add, 1 to change, 0 to destroy."
[[nodiscard]] std::string renderHuman(const Plan& plan, const RenderOptions& options);
[[nodiscard]] std::string summaryLine(const Plan& plan);
[[nodiscard]] nlohmann::json toJson(const Plan& plan);

}  // namespace nstopo::plan
