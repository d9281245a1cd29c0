// SPDX-License-Identifier: Apache-2.0
// Names nstopo reads back from the machine (interface aliases, OVSDB external_ids, the journal)
// are written by whoever can write there: they are checked before they become paths or owners,
// and escaped before they reach a terminal.
#include <algorithm>

#include <gtest/gtest.h>

#include "nstopo/app/app.h"
#include "nstopo/apply/engine.h"
#include "nstopo/core/names.h"
#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"
#include "nstopo/plan/planner.h"
#include "nstopo/plan/render.h"
#include "nstopo/state/desired.h"
#include "nstopo/state/ownership.h"

#include "support/fake_driver.h"

namespace nstopo {
namespace {

TEST(ParseMark, KeepsWhatNstopoWrites) {
  const auto plain = state::parseMark("nstopo:ci-lab");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->lab, "ci-lab");
  EXPECT_FALSE(plain->peer);
  const auto veth = state::parseMark("nstopo:ci-lab:ns-1.a/veth0");
  ASSERT_TRUE(veth);
  EXPECT_EQ(veth->lab, "ci-lab");
  ASSERT_TRUE(veth->peer);
  EXPECT_EQ(veth->peer->netns, "ns-1.a");
  EXPECT_EQ(veth->peer->name, "veth0");
  EXPECT_EQ(state::parseMark(state::makeVethMark("l", {"host", "eth0"}))->peer->netns, "host");
}

TEST(ParseMark, AnOwnerThatIsNoLabNameIsForeign) {
  // Reproduced attack: `ip link set lo alias 'nstopo:../../tmp/x/target'`, then `nstopo gc`
  // removed /tmp/x/target/lab.json and the directory.
  EXPECT_FALSE(state::parseMark("nstopo:../../tmp/x/target"));
  EXPECT_FALSE(state::parseMark("nstopo:.."));
  EXPECT_FALSE(state::parseMark("nstopo:.hidden"));
  EXPECT_FALSE(state::parseMark("nstopo:-rf"));
  EXPECT_FALSE(state::parseMark("nstopo:a b"));
  EXPECT_FALSE(state::parseMark("nstopo:\x1b]0;pwned\x07"));
  EXPECT_FALSE(state::parseMark("nstopo:caf\xc3\xa9"));
  EXPECT_FALSE(state::parseMark("nstopo:" + std::string(33, 'a')));  // labs have 32 bytes at most
  EXPECT_TRUE(state::parseMark("nstopo:" + std::string(32, 'a')));
  EXPECT_FALSE(state::parseMark("nstopo:"));
  EXPECT_FALSE(state::parseMark("nstopo::ns1/veth0"));
}

TEST(ParseMark, APeerNstopoWouldNeverNameMakesTheMarkForeign) {
  EXPECT_FALSE(state::parseMark("nstopo:lab:../etc/veth0"));
  EXPECT_FALSE(state::parseMark("nstopo:lab:ns1/a/b"));
  EXPECT_FALSE(state::parseMark("nstopo:lab:ns1/"));
  EXPECT_FALSE(state::parseMark("nstopo:lab:/veth0"));
  EXPECT_FALSE(state::parseMark("nstopo:lab:ns1"));
  EXPECT_FALSE(state::parseMark("nstopo:lab:ns1/\x1b[2J"));
  EXPECT_FALSE(state::parseMark("nstopo:lab:ns1/" + std::string(16, 'v')));
}

TEST(OwnerFrom, OvsdbLabValuesAreCheckedLikeMarks) {
  // Reproduced attack: a bridge with external_ids:nstopo-lab=../../tmp/x/dir on an ovsdb-server
  // of another user made root's `gc` create a directory there.
  EXPECT_EQ(state::ownerFrom("../../tmp/x/dir"), "");
  EXPECT_EQ(state::ownerFrom(""), "");
  EXPECT_EQ(state::ownerFrom("lab\n"), "");
  EXPECT_EQ(state::ownerFrom("ovs-lab"), "ovs-lab");
}

TEST(Printable, EscapesTerminalControlSequences) {
  EXPECT_EQ(printable("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
  EXPECT_EQ(printable("\x1b[2J\x9b"), "\\x1b[2J\\x9b");
  const std::string c1_csi = "\xc2\x9b";  // CSI as a C1 control, UTF-8 encoded
  EXPECT_EQ(printable(c1_csi + "1m"), "\\xc2\\x9b1m");
  EXPECT_EQ(printable("a\nb\rc"), "a\\x0ab\\x0dc");
  EXPECT_EQ(printable("br-caf\xc3\xa9"), "br-caf\xc3\xa9");
}

TEST(RenderHuman, NamesFromTheMachineReachTheTerminalAsText) {
  plan::Plan plan;
  plan.lab = "gc-lab";
  state::LinkState before;
  before.name = "\x1b]0;x\x07";
  before.kind_name = "dummy";
  plan::DeleteLink deletion;
  deletion.ref = {"host", before.name};
  deletion.lab = "gc-lab";
  deletion.before = before;
  plan::Step step;
  step.phase = plan::Phase::kDeleteLinks;
  step.change = plan::Change::kDelete;
  step.action = deletion;
  plan.steps.push_back(step);
  const auto text = plan::renderHuman(plan, {false});
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_NE(text.find("dummy host:\\x1b]0;x\\x07"), std::string::npos) << text;
  // With colour, nstopo's own escape sequences are the only ones.
  const auto coloured = plan::renderHuman(plan, {true});
  EXPECT_EQ(coloured.find("\x1b]"), std::string::npos) << coloured;
  EXPECT_NE(coloured.find("\x1b[31m"), std::string::npos) << coloured;
}

state::LinkState unmarkedLink(const std::string& name, std::uint32_t group) {
  state::LinkState link;
  link.name = name;
  link.kind = state::LinkKind::kBridge;
  link.kind_name = "bridge";
  link.group = group;
  return link;
}

constexpr std::uint32_t kRunGroup = 0x9abcdef1U;

state::State machine() {
  state::State actual;
  actual.lab = "ci-lab";
  auto& host = actual.netns["host"];
  host.name = "host";
  host.links["br-ci"] = unmarkedLink("br-ci", kRunGroup);  // made by the killed run
  host.links["docker0"] = unmarkedLink("docker0", 0);      // someone else's, same kind
  host.links["br-other"] = unmarkedLink("br-other", kRunGroup);
  host.links["br-other"].owner = "other-lab";
  auto& foreign = actual.netns["foreign"];
  foreign.name = "foreign";  // an unmarked namespace
  return actual;
}

TEST(AdoptJournaled, OnlyUnmarkedLinksStillInTheRunsCreationGroup) {
  auto actual = machine();
  app::Journal journal;
  journal.netns = {"foreign"};
  journal.links = {"host:br-ci", "host:docker0", "host:br-other"};
  journal.creation_group = kRunGroup;
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["host"].links["br-ci"].owner, "ci-lab");
  EXPECT_EQ(actual.netns["host"].links["docker0"].owner, "") << "a name alone adopts nothing";
  EXPECT_EQ(actual.netns["host"].links["br-other"].owner, "other-lab");
  EXPECT_EQ(actual.netns["foreign"].owner, "") << "namespaces are never adopted";
}

TEST(AdoptJournaled, AJournalWithoutIdentityAdoptsNothing) {
  auto actual = machine();
  app::Journal old;  // what earlier versions wrote: names only
  old.netns = {"foreign"};
  old.links = {"host:br-ci", "host:docker0"};
  app::adoptJournaled(actual, old);
  EXPECT_EQ(actual.netns["host"].links["br-ci"].owner, "");
  EXPECT_EQ(actual.netns["host"].links["docker0"].owner, "");
  EXPECT_EQ(actual.netns["foreign"].owner, "");
}

TEST(AdoptJournaled, TheWrongGroupAdoptsNothing) {
  auto actual = machine();
  app::Journal journal;
  journal.links = {"host:br-ci", "host:docker0"};
  journal.creation_group = kRunGroup + 1;
  app::adoptJournaled(actual, journal);
  EXPECT_EQ(actual.netns["host"].links["br-ci"].owner, "");
  EXPECT_EQ(actual.netns["host"].links["docker0"].owner, "");
}

TEST(AdoptJournaled, AnAdoptedLinkIsRebuiltSoItGetsItsMark) {
  auto loaded = parse::parseTopology(R"(name: ci-lab
nodes:
  n1: {interfaces: {eth0: {addresses: [10.9.0.2/24]}}}
bridges:
  br-ci: {kind: linux}
links:
  - {kind: veth, endpoints: [n1:eth0, br-ci:p1]}
)",
                                     "lab.yaml");
  ASSERT_TRUE(loaded.problems.empty());
  ASSERT_TRUE(model::validate(loaded.topology).empty());
  const auto desired = state::desiredState(loaded.topology);
  testing::FakeDriver kernel;
  state::ReadScope scope;
  scope.all_named_netns = true;
  state::State actual;
  ASSERT_TRUE(kernel.read(scope, actual));
  apply::Driver* drivers[] = {&kernel};
  ASSERT_TRUE(apply::applyPlan(plan::makePlan(desired, actual).plan, drivers, {}).ok());
  actual = {};
  ASSERT_TRUE(kernel.read(scope, actual));
  ASSERT_TRUE(plan::makePlan(desired, actual).plan.empty());
  actual.netns["host"].links["br-ci"].adopted = true;  // as adoptJournaled leaves it
  std::vector<std::string> got;
  for (const auto& step : plan::makePlan(desired, actual).plan.steps) {
    got.push_back(std::string(1, plan::glyph(step.change)) + " " + plan::describe(step.action));
  }
  const auto has = [&](const std::string& line) {
    return std::find(got.begin(), got.end(), line) != got.end();
  };
  EXPECT_TRUE(has("- bridge host:br-ci")) << ::testing::PrintToString(got);
  EXPECT_TRUE(has("+ bridge host:br-ci (stp off)")) << ::testing::PrintToString(got);
  EXPECT_TRUE(has("~ link host:p1: master none -> br-ci")) << ::testing::PrintToString(got);
}

TEST(LeftoverNetnsFile, IsRemovedUnlessTheFileWantsTheNamespaceAndHasNoUndo) {
  // A run killed between unmounting and unlinking a namespace leaves an empty file: the lab's
  // next run removes it (destroy used to exit 0 and leave it listed by `ip netns list`).
  state::State nothing;
  nothing.lab = "lab";
  state::State actual;
  actual.lab = "lab";
  actual.leftover_netns_files = {"n21"};
  const auto plan = plan::makePlan(nothing, actual).plan;
  ASSERT_EQ(plan.steps.size(), 1U);
  EXPECT_EQ(plan::describe(plan.steps.front().action),
            "netns n21 (the empty file a killed run left)");
  EXPECT_TRUE(plan::inverseOf(plan.steps.front().action).empty());
  // When the file wants that namespace, creating it takes the file over.
  state::State wanted = nothing;
  wanted.netns["n21"].name = "n21";
  const auto create = plan::makePlan(wanted, actual).plan;
  ASSERT_EQ(create.steps.size(), 1U);
  EXPECT_EQ(plan::describe(create.steps.front().action), "netns n21");
  EXPECT_EQ(create.steps.front().change, plan::Change::kCreate);
}

}  // namespace
}  // namespace nstopo
