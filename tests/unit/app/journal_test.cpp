// SPDX-License-Identifier: Apache-2.0
// The run's journal (issue 11, part 5): every action that creates an object names it before
// its request goes out, and the next run adopts what a killed run left unmarked, stacked links
// under a temporary name and links of a run killed before it recovered an earlier one included.
#include <gtest/gtest.h>

#include "nstopo/app/app.h"
#include "nstopo/app/records.h"
#include "nstopo/plan/plan.h"

namespace nstopo {
namespace {

using state::IfRef;
using state::LinkKind;

constexpr std::uint32_t kRunGroup = 0x9abcdef1U;
constexpr std::uint32_t kEarlierGroup = 0x8abcdef2U;

plan::Step stepOf(plan::Action action) {
  plan::Step step;
  step.action = std::move(action);
  return step;
}

state::LinkState linkOf(const std::string& name, LinkKind kind, std::uint32_t group) {
  state::LinkState link;
  link.name = name;
  link.kind = kind;
  link.kind_name = state::toString(kind);
  link.group = group;
  return link;
}

TEST(JournalOf, NamesEveryLinkACreatingActionMakesOrADeletionsRollbackRemakes) {
  plan::Plan plan;
  plan.steps.push_back(stepOf(plan::CreateNetns{"n1", "lab"}));
  plan::CreateVeth veth;
  veth.a.ref = {"n1", "eth0"};
  veth.b.ref = {"host", "p1"};
  plan.steps.push_back(stepOf(veth));
  plan::CreateLink macvlan;
  macvlan.ref = {"n2", "mv0"};
  macvlan.lower = {"host", "p1"};
  plan.steps.push_back(stepOf(macvlan));
  plan.steps.push_back(stepOf(plan::MoveLink{{"host", "tap1"}, "n3", "lab", true, "", {}}));
  plan::DeleteOvsPort port;
  port.device = plan::InternalDevice{"n4", linkOf("tap4", LinkKind::kOvsInternal, 0), {}};
  plan.steps.push_back(stepOf(port));
  plan::DeleteLink stacked_gone;
  stacked_gone.ref = {"n5", "mv5"};
  stacked_gone.before = linkOf("mv5", LinkKind::kMacvlan, 0);
  plan.steps.push_back(stepOf(stacked_gone));
  plan.steps.push_back(stepOf(plan::AddAddress{{"n1", "eth0"}, {}}));

  const auto journal = app::journalOf(plan);
  EXPECT_EQ(journal.netns, (std::vector<std::string>{"n1"}));
  EXPECT_EQ(journal.links, (std::vector<std::string>{"n1:eth0", "host:p1", "n2:mv0", "n3:tap1",
                                                     "n4:tap4", "n5:mv5"}));
  EXPECT_EQ(journal.stacked_netns, (std::vector<std::string>{"n2", "n5"}));
}

state::State killedRunLeft() {
  state::State actual;
  actual.lab = "lab";
  auto& n1 = actual.netns["n1"];
  n1.name = "n1";
  n1.owner = "lab";
  // Created straight into n1 under a temporary name, killed before the rename.
  n1.links["nst1a2b3c4d"] = linkOf("nst1a2b3c4d", LinkKind::kMacvlan, kRunGroup);
  n1.links["other0"] = linkOf("other0", LinkKind::kVeth, kRunGroup);  // no stacked link
  n1.links["mv9"] = linkOf("mv9", LinkKind::kMacvlan, 7);             // another group
  auto& host = actual.netns["host"];
  host.name = "host";
  host.links["nst99999999"] = linkOf("nst99999999", LinkKind::kMacvlan, kRunGroup);
  host.links["up0"] = linkOf("up0", LinkKind::kVeth, kEarlierGroup);
  return actual;
}

TEST(AdoptJournaled, AStackedLinkKilledBeforeItsRenameIsAdoptedOnlyWhereOneWasMade) {
  auto actual = killedRunLeft();
  app::Journal journal;
  journal.links = {"n1:eth0"};
  journal.stacked_netns = {"n1"};
  journal.creation_group = kRunGroup;
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["n1"].links["nst1a2b3c4d"].owner, "lab");
  EXPECT_TRUE(actual.netns["n1"].links["nst1a2b3c4d"].adopted);
  EXPECT_EQ(actual.netns["n1"].links["other0"].owner, "") << "not stacked, not named";
  EXPECT_EQ(actual.netns["n1"].links["mv9"].owner, "") << "another group";
  EXPECT_EQ(actual.netns["host"].links["nst99999999"].owner, "")
      << "no stacked link was made in the host";
}

TEST(AdoptJournaled, LinksOfAnEarlierKilledRunStayAdoptable) {
  auto actual = killedRunLeft();
  app::Journal journal;
  journal.links = {"host:up0"};
  journal.creation_group = kRunGroup;
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["host"].links["up0"].owner, "") << "the group of another run";
  journal.earlier_groups = {kEarlierGroup};
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["host"].links["up0"].owner, "lab");
  journal.creation_group = 0;  // earlier groups alone are enough
  actual = killedRunLeft();
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["host"].links["up0"].owner, "lab");
}

TEST(AdoptJournaled, AnAdoptedLinkKilledBetweenItsDeletionTagAndItsDeletionStaysAdoptable) {
  auto actual = killedRunLeft();
  constexpr std::uint32_t kDeletionGroup = 0x8000000fU;
  actual.netns["host"].links["up0"].group = kDeletionGroup;  // tagged, then the kill
  app::Journal journal;
  journal.links = {"host:up0"};
  journal.creation_group = kRunGroup;
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["host"].links["up0"].owner, "");
  journal.deletion_group = kDeletionGroup;
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["host"].links["up0"].owner, "lab");
}

}  // namespace
}  // namespace nstopo
