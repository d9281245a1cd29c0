// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/errno_text.h"

#include <cstring>

#include <fmt/format.h>

namespace nstopo::sys {

std::string errnoText(int error) {
  const char* name = strerrorname_np(error);
  return fmt::format("{} ({})", std::strerror(error), name != nullptr ? name : "?");
}

}  // namespace nstopo::sys
