// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

#include "nstopo/core/error.h"
#include "nstopo/model/impairment.h"
#include "nstopo/model/scenario.h"

/// What the run-time commands read (issue 14, part 2): a scenario file, a length such as "2s"
/// and an impairment given as command-line options. Units and error texts are the file's own.
namespace nstopo::parse {

/// "200ms", "2s", "1.5m": whole milliseconds, 0 to model::kMaxScenarioLength.
[[nodiscard]] tl::expected<std::chrono::milliseconds, std::string> parseTimeSpan(
    std::string_view text);

/// An `impair:` given as (key, value) pairs with the file's key names ("delay", "50ms"):
/// the same units, ranges, keys netem needs together and messages as in a file, joined in one
/// line when there are several.
[[nodiscard]] tl::expected<model::Impairment, std::string> impairmentFromArguments(
    const std::vector<std::pair<std::string, std::string>>& given);

/// A scenario's text; every problem at its `file:line:column`.
[[nodiscard]] tl::expected<model::Scenario, Diagnostics> parseScenario(const std::string& text,
                                                                       const std::string& file);

/// Reads `path` (a regular file, no symlink unless `follow_symlinks`) and parses it.
[[nodiscard]] tl::expected<model::Scenario, Diagnostics> loadScenarioFile(const std::string& path,
                                                                          bool follow_symlinks);

}  // namespace nstopo::parse
