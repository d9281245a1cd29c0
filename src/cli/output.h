// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "nstopo/core/error.h"
#include "nstopo/state/state.h"

namespace nstopo::cli {

/// Errors go to stderr, one line each (continuation lines indented).
void printError(const Error& error);
void printJson(const nlohmann::json& json);
void printText(const std::string& text);
/// Writes `text` to the file at `path` (replacing it), or to stdout when `path` is empty.
/// False after printing why it could not.
[[nodiscard]] bool writeOutput(const std::string& path, const std::string& text);

[[nodiscard]] nlohmann::json errorJson(const Error& error);
[[nodiscard]] nlohmann::json stateJson(const state::State& state);
[[nodiscard]] std::string renderState(const state::State& state);

}  // namespace nstopo::cli
