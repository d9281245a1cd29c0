// SPDX-License-Identifier: Apache-2.0
// Run-time changes (issue 14, part 2) against the fake kernel: the same actions as apply, so
// what they leave is drift that the next plan puts back.
#include "nstopo/app/live_changes.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/fake_driver.h"
#include "support/planner_cases.h"
#include "support/topology_text.h"

namespace nstopo {
namespace {

using std::chrono::milliseconds;

const char* const kLab =
    "name: rt\n"
    "nodes:\n"
    "  a: {interfaces: {eth0: {addresses: [10.0.0.1/24], impair: {rate: 10mbit}}}}\n"
    "  b: {interfaces: {eth0: {addresses: [10.0.0.2/24]}}}\n"
    "links:\n"
    "  - {kind: veth, endpoints: [a:eth0, b:eth0]}\n";

class LiveChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topology_ = support::validTopology(kLab);
    desired_ = support::desiredOf(kLab);
    planner_cases::converge(desired_, kernel_);
    session_.drivers = {&kernel_};
  }

  model::ScenarioEvent event(const std::string& target, model::EventChange change) {
    return {milliseconds(0), *model::interfaceNamed(target), std::move(change), {}};
  }

  const state::LinkState& live(const std::string& node) {
    return kernel_.world.netns.at(node).links.at("eth0");
  }

  model::Topology topology_;
  state::State desired_;
  testing::FakeDriver kernel_;
  app::Session session_;
};

TEST_F(LiveChangesTest, DownActsOnBothEndsOfAVethAndIsDrift) {
  app::LiveChanges changes("rt", &topology_, session_);
  const auto done = changes.run(event("a:eth0", model::LinkStateEvent{false, false}));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(*done, (std::vector<std::string>{"a:eth0 down", "b:eth0 down"}));
  EXPECT_FALSE(live("a").up);
  EXPECT_FALSE(live("b").up);
  EXPECT_EQ(planner_cases::planFor(desired_, kernel_).steps.size(), 2U);
  planner_cases::converge(desired_, kernel_);
  EXPECT_TRUE(live("a").up);
}

TEST_F(LiveChangesTest, OneEndLeavesThePeerUp) {
  app::LiveChanges changes("rt", &topology_, session_);
  const auto done = changes.run(event("b:eth0", model::LinkStateEvent{false, true}));
  ASSERT_TRUE(done);
  EXPECT_EQ(*done, (std::vector<std::string>{"b:eth0 down"}));
  EXPECT_TRUE(live("a").up);
  EXPECT_FALSE(live("b").up);
}

TEST_F(LiveChangesTest, WithoutAFileThePeerComesFromTheLiveLab) {
  app::LiveChanges changes("rt", nullptr, session_);
  ASSERT_TRUE(changes.run(event("a:eth0", model::LinkStateEvent{false, false})));
  EXPECT_FALSE(live("b").up);
  EXPECT_FALSE(changes.check(event("a:eth0", model::RestoreEvent{})));
}

TEST_F(LiveChangesTest, ImpairReplacesTheQdiscAndRestorePutsTheFileBack) {
  app::LiveChanges changes("rt", &topology_, session_);
  model::Impairment slower;
  slower.rate = 5'000'000;
  ASSERT_TRUE(changes.run(event("a:eth0", model::ImpairEvent{slower})));
  EXPECT_EQ(live("a").impair->rate, 5'000'000U);
  EXPECT_FALSE(live("b").impair.has_value());
  ASSERT_TRUE(changes.run(event("b:eth0", model::ImpairEvent{slower})));
  ASSERT_TRUE(changes.run(event("a:eth0", model::LinkStateEvent{false, true})));
  EXPECT_EQ(planner_cases::planFor(desired_, kernel_).steps.size(), 3U);
  const auto restored = changes.run(event("a:eth0", model::RestoreEvent{}));
  ASSERT_TRUE(restored);
  EXPECT_EQ(*restored,
            (std::vector<std::string>{"a:eth0 as in the file", "b:eth0 as in the file"}));
  EXPECT_TRUE(planner_cases::planFor(desired_, kernel_).empty());
  EXPECT_EQ(changes.touched().size(), 2U);
}

TEST_F(LiveChangesTest, ClearRemovesNstoposQdisc) {
  app::LiveChanges changes("rt", &topology_, session_);
  ASSERT_TRUE(changes.run(event("a:eth0", model::ImpairEvent{std::nullopt})));
  EXPECT_FALSE(live("a").impair.has_value());
  const auto again = changes.run(event("a:eth0", model::ImpairEvent{std::nullopt}));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, (std::vector<std::string>{"a:eth0 already no impair"}));
}

TEST_F(LiveChangesTest, RefusesWhatIsNotInTheLabWithOneLine) {
  app::LiveChanges changes("rt", &topology_, session_);
  const auto before = kernel_.world;
  const auto message = [&](const std::string& target, model::EventChange change) {
    const auto ok = changes.check(event(target, std::move(change)));
    return ok ? std::string("accepted") : ok.error().message;
  };
  EXPECT_EQ(message("z:eth0", model::LinkStateEvent{}), "z:eth0: lab 'rt' has no node 'z'");
  EXPECT_EQ(message("a:eth9", model::LinkStateEvent{}),
            "a:eth9: node 'a' has no interface 'eth9' in lab.yaml");
  EXPECT_EQ(message("a:lo", model::ImpairEvent{std::nullopt}), "a:lo: lo cannot be impaired");
  kernel_.world.netns.at("b").links.erase("eth0");
  EXPECT_EQ(message("b:eth0", model::LinkStateEvent{}),
            "b:eth0: interface 'eth0' is not present live in node 'b' (apply the file first)");
  kernel_.world.unsupported_qdiscs.insert("netem");
  model::Impairment delay;
  delay.delay_us = 50'000;
  EXPECT_EQ(message("a:eth0", model::ImpairEvent{delay}),
            "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM); needed by the impair of "
            "interface a:eth0");
  EXPECT_EQ(kernel_.world.netns.at("a").links.at("eth0").up,
            before.netns.at("a").links.at("eth0").up);
}

}  // namespace
}  // namespace nstopo
