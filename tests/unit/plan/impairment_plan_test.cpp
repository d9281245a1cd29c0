// SPDX-License-Identifier: Apache-2.0
// `impair:` (issue 14, part 2): the desired root qdisc of each interface, planned as one
// SetImpairment step per interface (created, replaced in place, deleted), applied to the
// FakeDriver, with drift put back and a root qdisc of someone else's left alone unless the file
// impairs that interface.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/plan/render.h"

#include "support/fake_driver.h"
#include "support/planner_cases.h"

namespace nstopo {
namespace {

using testing::FakeDriver;
using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr const char* kLab = R"(name: lab
nodes:
  a:
    interfaces:
      eth0: {addresses: [10.0.0.1/24], impair: {delay: 50ms, loss: 1% 25%}}
  b:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
  c: {}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
  - {kind: veth, endpoints: [b:eth1, c:eth0], impair: {rate: 10mbit}}
)";

TEST(ImpairmentPlan, TheDesiredStateHoldsTheKernelsForm) {
  const auto desired = desiredOf(kLab);
  const auto& a = desired.netns.at("a").links.at("eth0");
  ASSERT_TRUE(a.impair);
  EXPECT_EQ(a.impair->delay_us, 50'000U);
  EXPECT_EQ(a.impair->limit, model::kDefaultNetemLimit);  // netem's default, as read back
  EXPECT_EQ(a.impair_origin.line, 5);
  EXPECT_FALSE(desired.netns.at("b").links.at("eth0").impair);
  // The link's impair goes to both its ends.
  EXPECT_EQ(desired.netns.at("b").links.at("eth1").impair->rate, 10'000'000U);
  EXPECT_EQ(desired.netns.at("c").links.at("eth0").impair->rate, 10'000'000U);
  EXPECT_FALSE(desired.netns.at("c").links.at("eth0").impair->limit);  // a tbf has no netem queue
  // 0 % loss does nothing: no qdisc at all.
  EXPECT_FALSE(desiredOf(replaced(kLab, "{delay: 50ms, loss: 1% 25%}", "{loss: 0%}"))
                   .netns.at("a")
                   .links.at("eth0")
                   .impair);
}

TEST(ImpairmentPlan, IsSetOnceTheLinksExistAndConverges) {
  FakeDriver kernel;
  const auto plan = planFor(desiredOf(kLab), kernel);
  const auto text = lines(plan);
  for (const auto* line :
       {"+ impair a:eth0: delay 50ms, loss 1% 25%, limit 1000 (was none)",
        "+ impair b:eth1: rate 10mbit (was none)", "+ impair c:eth0: rate 10mbit (was none)"}) {
    EXPECT_NE(std::find(text.begin(), text.end(), line), text.end())
        << line << " in " << ::testing::PrintToString(text);
  }
  converge(desiredOf(kLab), kernel);
  EXPECT_EQ(kernel.world.netns.at("a").links.at("eth0").impair->delay_us, 50'000U);
}

TEST(ImpairmentPlan, ChangesInPlaceAndRemovesWhatTheFileDrops) {
  FakeDriver kernel;
  converge(desiredOf(kLab), kernel);
  const auto changed =
      replaced(replaced(kLab, "delay: 50ms", "delay: 80ms"), ", impair: {rate: 10mbit}", "");
  EXPECT_EQ(
      lines(planFor(desiredOf(changed), kernel)),
      (std::vector<std::string>{
          "~ impair a:eth0: delay 80ms, loss 1% 25%, limit 1000 (was delay 50ms, loss 1% "
          "25%, limit 1000)",
          "- impair b:eth1: none (was rate 10mbit)", "- impair c:eth0: none (was rate 10mbit)"}));
  converge(desiredOf(changed), kernel);
  EXPECT_FALSE(kernel.world.netns.at("b").links.at("eth1").impair);
}

TEST(ImpairmentPlan, DriftIsPutBackAndAForeignRootIsReplacedOnlyWhereTheFileImpairs) {
  FakeDriver kernel;
  converge(desiredOf(kLab), kernel);
  // Someone ran tc by hand: a new rate under nstopo's handle, a qdisc of their own on a:eth0,
  // and one on b:eth0, which the file does not impair.
  kernel.world.netns.at("b").links.at("eth1").impair->rate = 20'000'000;
  auto& a = kernel.world.netns.at("a").links.at("eth0");
  a.impair.reset();
  a.foreign_qdisc = "tbf 1:";
  kernel.world.netns.at("b").links.at("eth0").foreign_qdisc = "fq_codel 8001:";
  EXPECT_EQ(lines(planFor(desiredOf(kLab), kernel)),
            (std::vector<std::string>{
                "+ impair a:eth0: delay 50ms, loss 1% 25%, limit 1000 (was qdisc tbf 1:)",
                "~ impair b:eth1: rate 10mbit (was rate 20mbit)"}));
  converge(desiredOf(kLab), kernel);
  EXPECT_EQ(kernel.world.netns.at("b").links.at("eth0").foreign_qdisc, "fq_codel 8001:");
}

TEST(ImpairmentPlan, TheDistributionIsNotReadBackSoItIsNoDrift) {
  FakeDriver kernel;
  const auto text = replaced(kLab, "{delay: 50ms, loss: 1% 25%}",
                             "{delay: 50ms, jitter: 5ms, delay_distribution: paretonormal}");
  converge(desiredOf(text), kernel);
  EXPECT_FALSE(kernel.world.netns.at("a").links.at("eth0").impair->distribution);
}

TEST(ImpairmentPlan, RollsBackExactlyAtEveryStep) {
  expectExactRollbackAtEveryStep(
      kLab, replaced(replaced(kLab, "delay: 50ms", "delay: 80ms"), "rate: 10mbit", "rate: 1gbit"),
      "new values");
  expectExactRollbackAtEveryStep(
      kLab,
      replaced(replaced(kLab, "{delay: 50ms, loss: 1% 25%}", "{rate: 1mbit}"),
               ", impair: {rate: 10mbit}", ""),
      "a new kind, and removals");
}

}  // namespace
}  // namespace nstopo
