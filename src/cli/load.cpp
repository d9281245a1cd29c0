// SPDX-License-Identifier: Apache-2.0
#include "load.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "nstopo/core/names.h"
#include "nstopo/parse/yaml_loader.h"

#include "output.h"

namespace nstopo::cli {

std::optional<model::Topology> loadOrReport(const GlobalOptions& global, const std::string& file) {
  auto loaded = parse::loadTopologyFile(file, global.load);
  if (loaded.problems.empty()) {
    for (const auto& warning : loaded.warnings) {
      std::fprintf(stderr, "%s\n", formatWarning(warning).c_str());
    }
    return std::move(loaded.topology);
  }
  if (global.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& problem : loaded.problems) {
      problems.push_back(errorJson(problem));
    }
    printJson({{"file", file}, {"valid", false}, {"problems", std::move(problems)}});
  }
  for (const auto& problem : loaded.problems) {
    printError(problem);
  }
  return std::nullopt;
}

std::optional<LabTarget> resolveTarget(const GlobalOptions& global, const TargetOptions& target) {
  if (!target.file.empty()) {
    auto topology = loadOrReport(global, target.file);
    if (!topology) {
      return std::nullopt;
    }
    std::string lab = topology->name;
    return LabTarget{std::move(lab), std::move(topology)};
  }
  if (auto problem = labNameProblem(target.lab)) {
    printError(Error{ErrorKind::kInvalidTopology, "--lab: " + *problem, {}, 0});
    return std::nullopt;
  }
  return LabTarget{target.lab, std::nullopt};
}

}  // namespace nstopo::cli
