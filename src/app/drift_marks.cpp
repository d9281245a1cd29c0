// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/drift_marks.h"

#include <utility>
#include <variant>

#include <fmt/format.h>

#include "nstopo/core/overloaded.h"

namespace nstopo::app {
namespace {

using Touch = std::pair<std::string, DriftRole>;

std::string keyOf(const state::IfRef& ref) {
  return interfaceKey(ref.netns, ref.name);
}

/// The objects one action touches, and how.
std::vector<Touch> touchesOf(const plan::Action& action) {
  using enum DriftRole;
  return std::visit(
      Overloaded{
          [](const plan::CreateNetns& a) {
            return std::vector<Touch>{{netnsKey(a.netns), kMissing}};
          },
          [](const plan::DeleteNetns& a) {
            std::vector<Touch> out{{netnsKey(a.netns), kExtra}};
            for (const auto& end : a.takes_along) {
              out.emplace_back(keyOf(end), kExtra);
            }
            return out;
          },
          [](const plan::CreateBridge& a) {
            return std::vector<Touch>{{keyOf(a.ref), kMissing}};
          },
          [](const plan::CreateVeth& a) {
            return std::vector<Touch>{{keyOf(a.a.ref), kMissing}, {keyOf(a.b.ref), kMissing}};
          },
          [](const plan::CreateLink& a) {
            return std::vector<Touch>{{keyOf(a.ref), kMissing}};
          },
          [](const plan::DeleteLink& a) {
            std::vector<Touch> out{{keyOf(a.ref), kExtra}};
            if (a.before->peer) {
              out.emplace_back(keyOf(*a.before->peer), kExtra);
            }
            return out;
          },
          [](const plan::SetLink& a) {
            return std::vector<Touch>{{keyOf(a.ref), kChanged}};
          },
          [](const plan::AddAddress& a) {
            return std::vector<Touch>{{keyOf(a.ref), kChanged}};
          },
          [](const plan::DeleteAddress& a) {
            return std::vector<Touch>{{keyOf(a.ref), kChanged}};
          },
          [](const plan::AddVxlanPeer& a) {
            return std::vector<Touch>{{keyOf(a.ref), kChanged}};
          },
          [](const plan::DeleteVxlanPeer& a) {
            return std::vector<Touch>{{keyOf(a.ref), kChanged}};
          },
          [](const plan::SetImpairment& a) {
            return std::vector<Touch>{{keyOf(a.ref), kChanged}};
          },
          [](const plan::AddRoute& a) {
            return std::vector<Touch>{{netnsKey(a.netns), kChanged}};
          },
          [](const plan::DeleteRoute& a) {
            return std::vector<Touch>{{netnsKey(a.netns), kChanged}};
          },
          [](const plan::MarkRoute& a) {
            return std::vector<Touch>{{netnsKey(a.netns), kChanged}};
          },
          [](const plan::SetSysctl& a) {
            return std::vector<Touch>{{netnsKey(a.netns), kChanged}};
          },
          [](const plan::CreateOvsBridge& a) {
            return std::vector<Touch>{{ovsBridgeKey(a.bridge.name), kMissing}};
          },
          [](const plan::DeleteOvsBridge& a) {
            return std::vector<Touch>{{ovsBridgeKey(a.before.name), kExtra}};
          },
          [](const plan::SetOvsBridge& a) {
            return std::vector<Touch>{{ovsBridgeKey(a.after->name), kChanged}};
          },
          [](const plan::AddOvsPort& a) {
            return std::vector<Touch>{{ovsPortKey(a.bridge, a.port.name), kMissing}};
          },
          [](const plan::DeleteOvsPort& a) {
            return std::vector<Touch>{{ovsPortKey(a.bridge, a.before.name), kExtra}};
          },
          [](const plan::SetOvsPort& a) {
            return std::vector<Touch>{{ovsPortKey(a.bridge, a.after->name), kChanged}};
          },
          // An internal port's device is not yet where the file puts it.
          [](const plan::MoveLink& a) {
            return std::vector<Touch>{{interfaceKey(a.to_netns, a.from.name), kMissing}};
          },
          [](const plan::RenameLink& a) {
            return std::vector<Touch>{{keyOf(a.from), kExtra},
                                      {interfaceKey(a.from.netns, a.to), kMissing}};
          },
      },
      action);
}

}  // namespace

std::string netnsKey(const std::string& netns) {
  return "netns:" + netns;
}

std::string interfaceKey(const std::string& netns, const std::string& name) {
  return "if:" + netns + ":" + name;
}

std::string ovsBridgeKey(const std::string& bridge) {
  return "ovs:" + bridge;
}

std::string ovsPortKey(const std::string& bridge, const std::string& port) {
  return "ovs-port:" + bridge + ":" + port;
}

DriftMarks driftMarks(const plan::Plan& drift) {
  DriftMarks marks;
  for (const auto& step : drift.steps) {
    const std::string line =
        fmt::format("{} {}", plan::glyph(step.change), plan::describe(step.action));
    for (auto& [key, role] : touchesOf(step.action)) {
      marks[key].push_back({role, line});
    }
  }
  return marks;
}

const char* toString(DriftRole role) {
  switch (role) {
    case DriftRole::kMissing:
      return "missing";
    case DriftRole::kExtra:
      return "extra";
    case DriftRole::kChanged:
      return "changed";
  }
  return "changed";
}

}  // namespace nstopo::app
