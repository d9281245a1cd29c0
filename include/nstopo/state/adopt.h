// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include "nstopo/state/state.h"

namespace nstopo::state {

struct Adoption {
  std::vector<std::string> adopted;  ///< "namespace ns1", "interface ns1:tap1 (veth)", ...
  std::vector<std::string> refused;  ///< one line each: what the file asks, what is there
};

/// `apply --adopt`: the unmarked objects of `actual` that `desired` names, taken over by its
/// lab: their owner becomes the lab and `adopt_mark` asks the plan to mark them where they are.
/// Only what the file names is touched, and only when it is the same thing: a namespace, an
/// interface of the file's kind (a veth with the file's other end, a stacked link on the file's
/// parent), an OVS bridge or port. Anything else stays foreign, so the plan still refuses it;
/// `refused` says why. An OVS internal port's device is adopted through its OVSDB row (the
/// planner recognises an unmarked device of the lab's own internal port).
[[nodiscard]] Adoption adoptNamed(const State& desired, State& actual);

}  // namespace nstopo::state
