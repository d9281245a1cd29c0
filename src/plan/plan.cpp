// SPDX-License-Identifier: Apache-2.0
#include "nstopo/plan/plan.h"

#include <algorithm>

namespace nstopo::plan {

std::size_t Plan::count(Change change) const {
  return static_cast<std::size_t>(std::count_if(
      steps.begin(), steps.end(), [change](const Step& step) { return step.change == change; }));
}

const char* toString(Phase phase) {
  switch (phase) {
    case Phase::kRenameLinks:
      return "rename-links";
    case Phase::kDeleteRoutes:
      return "delete-routes";
    case Phase::kDeleteAddresses:
      return "delete-addresses";
    case Phase::kOvsRemovals:
      return "ovs-removals";
    case Phase::kDeleteLinks:
      return "delete-links";
    case Phase::kDeleteBridges:
      return "delete-bridges";
    case Phase::kDeleteNetns:
      return "delete-netns";
    case Phase::kCreateNetns:
      return "create-netns";
    case Phase::kSysctls:
      return "sysctls";
    case Phase::kCreateBridges:
      return "create-bridges";
    case Phase::kCreateLinks:
      return "create-links";
    case Phase::kCreateStacked1:
      return "create-stacked-1";
    case Phase::kCreateStacked2:
      return "create-stacked-2";
    case Phase::kCreateStacked3:
      return "create-stacked-3";
    case Phase::kReleasePorts:
      return "release-ports";
    case Phase::kOvs:
      return "ovs";
    case Phase::kMoveLinks:
      return "move-links";
    case Phase::kChangeLinks:
      return "change-links";
    case Phase::kReleasePrimaries:
      return "release-primaries";
    case Phase::kBondPrimaries:
      return "bond-primaries";
    case Phase::kAddAddresses:
      return "add-addresses";
    case Phase::kAddDirectRoutes:
      return "add-direct-routes";
    case Phase::kAddGatewayRoutes:
      return "add-gateway-routes";
  }
  return "?";
}

char glyph(Change change) {
  switch (change) {
    case Change::kCreate:
      return '+';
    case Change::kUpdate:
      return '~';
    case Change::kDelete:
      return '-';
  }
  return '?';
}

}  // namespace nstopo::plan
