// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "nstopo/core/error.h"

namespace nstopo::parse {

/// A topology file is at most this big: a lab, not a data set.
inline constexpr std::size_t kMaxFileBytes = 4 * 1024 * 1024;

/// Flow collections ("[", "{") nested deeper than this are refused before yaml-cpp, whose own
/// guard fires only after it has spent seconds and a gigabyte on millions of brackets.
inline constexpr int kMaxFlowDepth = 64;

/// Checks the raw text for what yaml-cpp 0.7 handles badly or explains poorly, before it sees
/// the text: size, control characters (a NUL can hang it), line ends that are a lone CR, a quote
/// never closed (it silently swallows the rest of the file), flow nesting, and a second document
/// (its LoadAll can hang). The first such problem, with its place.
[[nodiscard]] std::optional<Error> precheckText(const std::string& text, const std::string& file);

/// A hint for a YAML syntax error reported at `line` (1-based): tab indentation on or before
/// that line, which YAML forbids and yaml-cpp reports only as "illegal map value", or a range or
/// placeholder left unquoted on that line (inside [...] or {...} its brackets end the list).
/// Empty if none.
[[nodiscard]] std::string syntaxHint(const std::string& text, int line);

}  // namespace nstopo::parse
