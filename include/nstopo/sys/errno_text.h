// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace nstopo::sys {

/// "File exists (EEXIST)": the words and the name, so a message can be searched for either.
[[nodiscard]] std::string errnoText(int error);

}  // namespace nstopo::sys
