// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/drift_marks.h"

#include <gtest/gtest.h>

namespace nstopo {
namespace {

TEST(DriftMarks, EachStepMarksEveryObjectItTouches) {
  plan::Plan drift;
  plan::CreateVeth veth;
  veth.a.ref = {"ns1", "eth0"};
  veth.b.ref = {"host", "p1"};
  drift.steps.push_back({plan::Phase::kCreateLinks, plan::Change::kCreate, veth, {}});
  drift.steps.push_back(
      {plan::Phase::kDeleteNetns, plan::Change::kDelete, plan::DeleteNetns{"old", "lab"}, {}});
  plan::RenameLink rename;
  rename.from = {"ns2", "eth9"};
  rename.to = "eth0";
  drift.steps.push_back({plan::Phase::kRenameLinks, plan::Change::kUpdate, rename, {}});
  plan::SetOvsPort port;
  port.bridge = "br";
  state::OvsPortState p0;
  p0.name = "p0";
  port.before = p0;
  p0.tag = 20;
  port.after = p0;
  drift.steps.push_back({plan::Phase::kOvs, plan::Change::kUpdate, port, {}});
  const auto marks = app::driftMarks(drift);
  ASSERT_EQ(marks.count(app::interfaceKey("ns1", "eth0")), 1u);
  EXPECT_EQ(marks.at(app::interfaceKey("ns1", "eth0"))[0].role, app::DriftRole::kMissing);
  EXPECT_EQ(marks.at(app::interfaceKey("host", "p1"))[0].line,
            marks.at(app::interfaceKey("ns1", "eth0"))[0].line);
  EXPECT_EQ(marks.at(app::netnsKey("old"))[0].role, app::DriftRole::kExtra);
  EXPECT_EQ(marks.at(app::netnsKey("old"))[0].line, "- netns old");
  EXPECT_EQ(marks.at(app::interfaceKey("ns2", "eth9"))[0].role, app::DriftRole::kExtra);
  EXPECT_EQ(marks.at(app::interfaceKey("ns2", "eth0"))[0].role, app::DriftRole::kMissing);
  EXPECT_EQ(marks.at(app::ovsPortKey("br", "p0"))[0].role, app::DriftRole::kChanged);
}

}  // namespace
}  // namespace nstopo
