// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

#include "nstopo/apply/driver.h"
#include "nstopo/core/error.h"

namespace nstopo::app {

/// Refuses a namespace that is not the lab's: its loopback must carry the lab's mark, so that
/// exec, verify and bench never act in a namespace of the same name that someone else made.
/// `host` always passes. Reads only that one namespace through `driver`.
[[nodiscard]] Status checkNodeOfLab(const std::string& lab, const std::string& node,
                                    apply::Driver& driver);

}  // namespace nstopo::app
