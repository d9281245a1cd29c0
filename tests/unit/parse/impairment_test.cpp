// SPDX-License-Identifier: Apache-2.0
// `impair:` (issue 14, part 1): an interface's or a link's delay, loss, rate ... with strict
// units, each bad value refused at its place in the file.
#include "nstopo/model/impairment.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/topology_text.h"

namespace nstopo {
namespace {

using support::onlyProblemOf;
using support::problemsOf;
using support::validTopology;

/// A veth pair whose a:eth0 has `impair` (a flow mapping, or "" for none) and whose link has
/// `link_impair`.
std::string lab(const std::string& impair, const std::string& link_impair = "") {
  std::string text = "name: lab\nnodes:\n  a:\n    interfaces:\n      eth0: {";
  text += impair.empty() ? "" : "impair: " + impair;
  text += "}\n  b: {}\nlinks:\n  - {kind: veth, endpoints: [a:eth0, b:eth0]";
  text += link_impair.empty() ? "" : ", impair: " + link_impair;
  text += "}\n";
  return text;
}

model::Impairment impairOf(const std::string& impair) {
  const auto topology = validTopology(lab(impair));
  const auto& settings = topology.nodes.at("a").interfaces.at("eth0");
  EXPECT_TRUE(settings.impair.has_value());
  return settings.impair.value_or(model::Impairment{});
}

TEST(Impairment, ParsesEveryKeyWithItsUnits) {
  const auto impair = impairOf(
      "{delay: 1.5s, jitter: 20us, delay_distribution: pareto, loss: 0.5% 25%, duplicate: 1%, "
      "corrupt: 0.1%, reorder: 25% 50%, gap: 5, rate: 100mbit, limit: 2000}");
  EXPECT_EQ(impair.delay_us, 1'500'000U);
  EXPECT_EQ(impair.jitter_us, 20U);
  EXPECT_EQ(impair.distribution, model::DelayDistribution::kPareto);
  ASSERT_TRUE(impair.loss);
  EXPECT_EQ(impair.loss->probability, model::probabilityOf(0.5));
  EXPECT_EQ(impair.loss->correlation, model::probabilityOf(25));
  EXPECT_EQ(impair.reorder->probability, model::probabilityOf(25));
  EXPECT_EQ(impair.gap, 5U);
  EXPECT_EQ(impair.rate, 100'000'000U);
  EXPECT_EQ(impair.limit, 2000U);
  EXPECT_TRUE(impair.needsNetem());
  EXPECT_EQ(model::impairmentText(impair),
            "delay 1500ms jitter 20us (pareto), loss 0.5% 25%, duplicate 1%, corrupt 0.1%, "
            "reorder 25% 50% gap 5, rate 100mbit, limit 2000");
}

TEST(Impairment, RateAloneIsATbfAndNeedsNoNetem) {
  const auto impair = impairOf("{rate: 1gbit}");
  EXPECT_FALSE(impair.needsNetem());
  EXPECT_EQ(model::rootQdiscKind(impair), "tbf");
  EXPECT_EQ(model::rootQdiscKind(impairOf("{delay: 10ms}")), "netem");
  EXPECT_EQ(model::probabilityOf(100), 0xffffffffU);
  EXPECT_EQ(model::probabilityOf(0), 0U);
}

TEST(Impairment, ALinksImpairIsKeptForBothEnds) {
  const auto topology = validTopology(lab("", "{delay: 10ms, loss: 1%}"));
  ASSERT_TRUE(topology.links.at(0).impair);
  EXPECT_EQ(topology.links.at(0).impair->delay_us, 10'000U);
  EXPECT_EQ(topology.links.at(0).impair_loc.line, 8);
}

TEST(Impairment, RefusesHostileValuesAtTheirPlace) {
  const std::string at = "lab.yaml:5:";
  EXPECT_EQ(onlyProblemOf(lab("{delay: -10ms}")),
            at + "30: error: node 'a' interface 'eth0' impair delay '-10ms' is negative");
  EXPECT_EQ(onlyProblemOf(lab("{delay: 10}")),
            at + "30: error: node 'a' interface 'eth0' impair delay '10' has no unit (s, ms or "
                 "us)");
  EXPECT_EQ(onlyProblemOf(lab("{delay: 10min}")),
            at + "30: error: node 'a' interface 'eth0' impair delay '10min' has an unknown unit "
                 "'min' (s, ms or us)");
  EXPECT_EQ(onlyProblemOf(lab("{delay: 0.5us}")),
            at + "30: error: node 'a' interface 'eth0' impair delay '0.5us' is not a whole "
                 "number of microseconds");
  EXPECT_EQ(onlyProblemOf(lab("{delay: 61s}")),
            at + "30: error: node 'a' interface 'eth0' impair delay '61s' is more than 60s");
  EXPECT_EQ(onlyProblemOf(lab("{loss: 101%}")),
            at + "29: error: node 'a' interface 'eth0' impair loss '101%' probability: '101%' "
                 "is more than 100%");
  EXPECT_EQ(onlyProblemOf(lab("{loss: 1}")),
            at + "29: error: node 'a' interface 'eth0' impair loss '1' probability: '1' has no "
                 "'%' (a percentage such as 0.5%)");
  EXPECT_EQ(onlyProblemOf(lab("{loss: 1% 2% 3%}")),
            at + "29: error: node 'a' interface 'eth0' impair loss '1% 2% 3%' is not a "
                 "percentage with an optional correlation, such as 1% or 1% 25%");
  EXPECT_EQ(onlyProblemOf(lab("{rate: 0mbit}")),
            at + "29: error: node 'a' interface 'eth0' impair rate '0mbit' is less than 8kbit");
  EXPECT_EQ(onlyProblemOf(lab("{rate: 100mbps}")),
            at + "29: error: node 'a' interface 'eth0' impair rate '100mbps' has an unknown "
                 "unit 'mbps' (bit, kbit, mbit or gbit)");
  EXPECT_EQ(onlyProblemOf(lab("{rate: 11gbit}")),
            at + "29: error: node 'a' interface 'eth0' impair rate '11gbit' is more than 10gbit");
  EXPECT_EQ(onlyProblemOf(lab("{rate: 1e9bit}")),
            at + "29: error: node 'a' interface 'eth0' impair rate '1e9bit' has an unknown unit "
                 "'e9bit' (bit, kbit, mbit or gbit)");
  EXPECT_EQ(onlyProblemOf(lab("{limit: 99999999}")),
            at + "30: error: node 'a' interface 'eth0' impair limit must be between 1 and "
                 "1000000, found 99999999");
  EXPECT_EQ(onlyProblemOf(lab("{delay_distribution: uniform, jitter: 1ms, delay: 2ms}")),
            at + "43: error: node 'a' interface 'eth0' impair delay_distribution 'uniform' is "
                 "not one of normal, pareto, paretonormal");
  EXPECT_EQ(onlyProblemOf(lab("{rat: 1gbit}")),
            at + "23: error: node 'a' interface 'eth0' impair: unknown key 'rat' (did you mean "
                 "'rate'?)");
}

TEST(Impairment, RefusesSettingsNetemCannotHonour) {
  const std::string at = "lab.yaml:5:22: error: node 'a' interface 'eth0' impair";
  EXPECT_EQ(onlyProblemOf(lab("{jitter: 1ms}")), at + ": jitter needs a delay");
  EXPECT_EQ(onlyProblemOf(lab("{reorder: 25%}")),
            at + ": reorder needs a delay (the packets not reordered are the delayed ones)");
  EXPECT_EQ(onlyProblemOf(lab("{delay: 1ms, delay_distribution: normal}")),
            at + ": delay_distribution needs a jitter (it shapes the jitter)");
  EXPECT_EQ(onlyProblemOf(lab("{delay: 1ms, gap: 3}")), at + ": gap needs a reorder");
  EXPECT_EQ(onlyProblemOf(lab("{}")),
            at + " is empty: give at least one of delay, loss, duplicate, corrupt, reorder, "
                 "rate or limit");
}

TEST(Impairment, RefusesTwoPlacesForOneInterfaceAndTheLoopback) {
  EXPECT_EQ(onlyProblemOf(lab("{delay: 1ms}", "{delay: 2ms}")),
            "lab.yaml:5:22: error: node 'a' interface 'eth0' impair: its link (line 8) has an "
            "impair too; give it in one place");
  const auto problems =
      problemsOf("name: lab\nnodes:\n  a:\n    interfaces:\n      lo: {impair: {delay: 1ms}}\n");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0],
            "lab.yaml:5:20: error: node 'a' interface 'lo' cannot be impaired: "
            "its packets never leave the node");
}

}  // namespace
}  // namespace nstopo
