// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: any bytes through the parser and the validator, exactly as `nstopo validate`
// runs them, must give a topology or problems, never a crash, a hang, a leak or a sanitizer
// report. With NSTOPO_FUZZ_STRICT=1 in the environment it also aborts on a problem that breaks
// the CLI's promise: one line, at a known file:line:column.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/state/desired.h"

namespace {

bool strictMode() {
  static const bool strict = [] {
    const char* value = std::getenv("NSTOPO_FUZZ_STRICT");
    return value != nullptr && std::string(value) == "1";
  }();
  return strict;
}

void checkProblem(const nstopo::Error& problem) {
  const std::string line = nstopo::formatError(problem);
  if (!strictMode()) {
    return;
  }
  bool one_line = true;
  for (const char c : line) {
    one_line = one_line && static_cast<unsigned char>(c) >= 0x20 && c != 0x7f;
  }
  if (!problem.where.known() || !one_line) {
    std::fprintf(stderr, "fuzz_topology: a problem the CLI cannot print as one located line: %s\n",
                 line.c_str());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto loaded = nstopo::parse::parseTopology(text, "fuzz.yaml");
  if (loaded.problems.empty()) {
    loaded.problems = nstopo::model::validate(loaded.topology);
    if (loaded.problems.empty()) {
      (void)nstopo::state::desiredState(loaded.topology);
    }
  }
  for (const auto& problem : loaded.problems) {
    checkProblem(problem);
  }
  return 0;
}
