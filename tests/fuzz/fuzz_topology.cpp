// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any bytes through the parser and the validator must give a topology or
// located problems, never a crash, a hang or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/state/desired.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto loaded = nstopo::parse::parseTopology(text, "fuzz.yaml");
  if (loaded.problems.empty()) {
    const auto problems = nstopo::model::validate(loaded.topology);
    if (problems.empty()) {
      (void)nstopo::state::desiredState(loaded.topology);
    }
  }
  for (const auto& problem : loaded.problems) {
    (void)nstopo::formatError(problem);
  }
  return 0;
}
