// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <string>
#include <vector>

#include "nstopo/plan/plan.h"

/// The drift `show` prints (the plan apply would run), turned around: for each object of the
/// lab, the steps that touch it. The HTML view colours objects with it, so it shows the same
/// diff as `show` without computing a second one.
namespace nstopo::app {

/// What a step says about the object it touches.
enum class DriftRole {
  kMissing,  ///< the step creates it: the file has it, the machine does not
  kExtra,    ///< the step deletes it: the machine has it, the file does not
  kChanged,  ///< the step changes it in place (an attribute, an address, a route, a port)
};

struct DriftMark {
  DriftRole role = DriftRole::kChanged;
  std::string line;  ///< the step as `show` prints it: glyph and description
};

/// Keys of the objects a plan can touch; the page's data uses the same keys.
[[nodiscard]] std::string netnsKey(const std::string& netns);
[[nodiscard]] std::string interfaceKey(const std::string& netns, const std::string& name);
[[nodiscard]] std::string ovsBridgeKey(const std::string& bridge);
[[nodiscard]] std::string ovsPortKey(const std::string& bridge, const std::string& port);

using DriftMarks = std::map<std::string, std::vector<DriftMark>>;

/// Every step of `drift`, under the key of each object it touches (a veth's creation marks both
/// ends, a rename both names).
[[nodiscard]] DriftMarks driftMarks(const plan::Plan& drift);

[[nodiscard]] const char* toString(DriftRole role);

}  // namespace nstopo::app
