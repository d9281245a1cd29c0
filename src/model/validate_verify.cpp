// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_verify.h"

namespace nstopo::model {

void validateVerify(const Topology& /*topology*/, Diagnostics& /*problems*/) {}

}  // namespace nstopo::model
