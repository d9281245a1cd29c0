// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "nstopo/core/error.h"

namespace nstopo::sys {

/// Checks the effective capabilities nstopo needs to enter and change namespaces.
[[nodiscard]] Status checkPrivileges();

}  // namespace nstopo::sys
