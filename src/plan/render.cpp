// SPDX-License-Identifier: Apache-2.0
#include "nstopo/plan/render.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "nstopo/core/names.h"

namespace nstopo::plan {
namespace {

const char* colorOf(Change change) {
  switch (change) {
    case Change::kCreate:
      return "\033[32m";
    case Change::kUpdate:
      return "\033[33m";
    case Change::kDelete:
      return "\033[31m";
  }
  return "";
}

const char* changeName(Change change) {
  switch (change) {
    case Change::kCreate:
      return "create";
    case Change::kUpdate:
      return "update";
    case Change::kDelete:
      return "delete";
  }
  return "?";
}

}  // namespace

std::string summaryLine(const Plan& plan) {
  if (plan.empty()) {
    return fmt::format("No changes: lab '{}' is already as wanted.", plan.lab);
  }
  return fmt::format("Plan: {} to add, {} to change, {} to destroy.", plan.count(Change::kCreate),
                     plan.count(Change::kUpdate), plan.count(Change::kDelete));
}

std::string renderHuman(const Plan& plan, const RenderOptions& options) {
  std::string out;
  for (const auto& step : plan.steps) {
    // A step names objects read from the machine (gc and destroy plan from marks alone): the
    // terminal gets their names as text, and only nstopo's own colours as escape sequences.
    const std::string what = printable(describe(step.action));
    if (options.color) {
      out += fmt::format("{}{}\033[0m {}\n", colorOf(step.change), glyph(step.change), what);
    } else {
      out += fmt::format("{} {}\n", glyph(step.change), what);
    }
  }
  out += summaryLine(plan) + "\n";
  return out;
}

nlohmann::json toJson(const Plan& plan) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : plan.steps) {
    nlohmann::json item = {{"change", changeName(step.change)},
                           {"phase", toString(step.phase)},
                           {"netns", netnsOf(step.action)},
                           {"description", describe(step.action)}};
    if (step.origin.known()) {
      item["origin"] = {
          {"file", step.origin.file}, {"line", step.origin.line}, {"column", step.origin.column}};
    }
    steps.push_back(std::move(item));
  }
  return {{"lab", plan.lab},
          {"changes", !plan.empty()},
          {"summary",
           {{"add", plan.count(Change::kCreate)},
            {"change", plan.count(Change::kUpdate)},
            {"destroy", plan.count(Change::kDelete)}}},
          {"steps", std::move(steps)}};
}

}  // namespace nstopo::plan
