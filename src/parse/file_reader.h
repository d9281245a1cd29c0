// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>

#include "nstopo/core/error.h"

namespace nstopo::parse {

/// Reads at most `limit` + 1 bytes of `path`, so that a device such as /dev/zero or a huge file
/// costs nothing and the caller can still tell "too big"; pipes work too (`<(generate-lab)`).
/// A directory or an unreadable file is one clear error naming the path.
[[nodiscard]] Result<std::string> readBounded(const std::string& path, std::size_t limit);

}  // namespace nstopo::parse
