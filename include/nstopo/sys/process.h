// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

namespace nstopo::sys {

/// execvp's argument array for `argv` (pointers into it; it must outlive the call).
[[nodiscard]] std::vector<char*> execArguments(const std::vector<std::string>& argv);

}  // namespace nstopo::sys
