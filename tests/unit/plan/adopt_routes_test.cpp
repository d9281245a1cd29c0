// SPDX-License-Identifier: Apache-2.0
// `apply --adopt` of routes (issue 16): a route a person added by hand (protocol boot) that the
// file names is marked where it is, a route of the same key with another gateway stays
// refused, and a route the file does not name is never touched. The machine is the in-memory
// FakeDriver, with the lab built by nstopo and then one route given back protocol boot.
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/plan/action.h"
#include "nstopo/state/adopt.h"

#include "support/planner_cases.h"

namespace nstopo {
namespace {

using testing::FakeDriver;
using namespace planner_cases;  // NOLINT(google-build-using-namespace): test vocabulary

constexpr std::uint8_t kBoot = 3;  // RTPROT_BOOT: what `ip route add` gives

constexpr const char* kRoutedLab = R"(name: lab
nodes:
  h1:
    interfaces: {eth0: {addresses: [10.0.1.2/24]}}
    routes: [{to: 10.0.2.0/24, via: 10.0.1.1}]
  r1:
    interfaces: {eth0: {addresses: [10.0.1.1/24]}, eth1: {addresses: [10.0.2.1/24]}}
  h2:
    interfaces: {eth0: {addresses: [10.0.2.2/24]}}
    routes: [{to: 10.0.1.0/24, via: 10.0.2.1}]
links:
  - {kind: veth, endpoints: [h1:eth0, r1:eth0]}
  - {kind: veth, endpoints: [h2:eth0, r1:eth1]}
)";

/// The route `to` of namespace `netns` in the fake kernel.
state::RouteState& routeOf(FakeDriver& kernel, const std::string& netns, const std::string& to) {
  for (auto& [key, route] : kernel.world.netns[netns].routes) {
    if (route.to.cidr() == to) {
      return route;
    }
  }
  ADD_FAILURE() << "no route to " << to << " in " << netns;
  static state::RouteState none;
  return none;
}

/// The lab built by nstopo, then h1's route made a hand-added one (protocol boot).
FakeDriver routedLabWithHandAddedRoute() {
  FakeDriver kernel;
  converge(desiredOf(kRoutedLab), kernel);
  routeOf(kernel, "h1", "10.0.2.0/24").protocol = kBoot;
  return kernel;
}

state::State readFrom(FakeDriver& kernel, bool unmarked_routes) {
  state::ReadScope scope;
  scope.lab = "lab";
  scope.all_named_netns = true;
  scope.unmarked_routes = unmarked_routes;
  state::State actual;
  EXPECT_TRUE(kernel.read(scope, actual));
  return actual;
}

TEST(AdoptRoutes, WithoutAdoptTheUnmarkedRouteIsNotSeenAndTheAddFailsAsBefore) {
  auto kernel = routedLabWithHandAddedRoute();
  const auto result = plan::makePlan(desiredOf(kRoutedLab), readFrom(kernel, false));
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(lines(result.plan),
            (std::vector<std::string>{"+ route h1: 10.0.2.0/24 via 10.0.1.1 metric 0"}));
  apply::Driver* drivers[] = {&kernel};
  const auto report = apply::applyPlan(result.plan, drivers, {});
  EXPECT_FALSE(report.ok());
  EXPECT_EQ(routeOf(kernel, "h1", "10.0.2.0/24").protocol, kBoot);
}

TEST(AdoptRoutes, TheRouteTheFileNamesIsListedAndMarkedWhereItIs) {
  auto kernel = routedLabWithHandAddedRoute();
  const auto desired = desiredOf(kRoutedLab);
  auto actual = readFrom(kernel, true);
  const auto adoption = state::adoptNamed(desired, actual);
  EXPECT_TRUE(adoption.refused.empty()) << ::testing::PrintToString(adoption.refused);
  EXPECT_EQ(adoption.adopted,
            (std::vector<std::string>{"route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0"}));
  const auto result = plan::makePlan(desired, actual);
  ASSERT_TRUE(result.conflicts.empty()) << result.conflicts.front().message;
  EXPECT_EQ(lines(result.plan), (std::vector<std::string>{
                                    "~ mark route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0",
                                }));
  apply::Driver* drivers[] = {&kernel};
  const auto report = apply::applyPlan(result.plan, drivers, {});
  ASSERT_TRUE(report.ok()) << report.failure->message;
  EXPECT_EQ(routeOf(kernel, "h1", "10.0.2.0/24").protocol, state::kRouteProtocol);
  EXPECT_TRUE(planFor(desired, kernel).empty());
}

TEST(AdoptRoutes, TheInverseGivesTheRouteItsProtocolBack) {
  state::RouteState route;
  route.family = AF_INET;
  route.to = *parseCidr("10.0.2.0/24");
  route.via = parseIp("10.0.1.1");
  route.dev = "eth0";
  route.protocol = kBoot;
  const plan::Action mark = plan::MarkRoute{"h1", route, state::kRouteProtocol, kBoot};
  const auto undo = plan::inverseOf(mark);
  ASSERT_EQ(undo.size(), 1U);
  const auto* back = std::get_if<plan::MarkRoute>(&undo.front());
  ASSERT_NE(back, nullptr);
  EXPECT_EQ(back->protocol, kBoot);
  EXPECT_EQ(back->protocol_before, state::kRouteProtocol);
  EXPECT_EQ(plan::describe(undo.front()),
            "unmark route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0 (protocol 3 again)");
  EXPECT_EQ(plan::netnsOf(undo.front()), "h1");
}

TEST(AdoptRoutes, AFailureAfterTheMarkGivesTheRouteProtocolBootAgain) {
  // h2's route is missing too: its add comes after the mark (gateway routes, in key order),
  // and fails.
  auto kernel = routedLabWithHandAddedRoute();
  for (auto it = kernel.world.netns["h2"].routes.begin();
       it != kernel.world.netns["h2"].routes.end();) {
    it = kernel.world.netns["h2"].routes.erase(it);
  }
  const auto desired = desiredOf(kRoutedLab);
  auto actual = readFrom(kernel, true);
  const auto before = actual;
  (void)state::adoptNamed(desired, actual);
  const auto result = plan::makePlan(desired, actual);
  ASSERT_EQ(lines(result.plan), (std::vector<std::string>{
                                    "~ mark route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0",
                                    "+ route h2: 10.0.1.0/24 via 10.0.2.1 metric 0",
                                }));
  kernel.fail_at = kernel.calls + 1;
  apply::Driver* drivers[] = {&kernel};
  const auto report = apply::applyPlan(result.plan, drivers, {});
  ASSERT_FALSE(report.ok());
  EXPECT_TRUE(report.rolled_back);
  EXPECT_EQ(routeOf(kernel, "h1", "10.0.2.0/24").protocol, kBoot);
  EXPECT_EQ(state::differences(before, readFrom(kernel, true)), std::vector<std::string>{});
}

TEST(AdoptRoutes, AnotherGatewayIsRefusedWithOneLineAndThePlanConflicts) {
  auto kernel = routedLabWithHandAddedRoute();
  routeOf(kernel, "h1", "10.0.2.0/24").via = parseIp("10.0.1.9");
  const auto desired = desiredOf(kRoutedLab);
  auto actual = readFrom(kernel, true);
  const auto adoption = state::adoptNamed(desired, actual);
  EXPECT_TRUE(adoption.adopted.empty()) << ::testing::PrintToString(adoption.adopted);
  EXPECT_EQ(adoption.refused,
            (std::vector<std::string>{"route h1: 10.0.2.0/24 via 10.0.1.9 dev eth0 metric 0: the "
                                      "file asks for via 10.0.1.1; not adopted"}));
  const auto result = plan::makePlan(desired, actual);
  ASSERT_EQ(result.conflicts.size(), 1U);
  EXPECT_EQ(result.conflicts.front().message,
            "route '10.0.2.0/24 via 10.0.1.9 dev eth0 metric 0' already exists in namespace 'h1' "
            "and it carries no nstopo mark (protocol 3, not 152); nstopo will not change it");
  EXPECT_GT(result.conflicts.front().where.line, 0);
}

TEST(AdoptRoutes, AnotherDeviceIsRefused) {
  auto kernel = routedLabWithHandAddedRoute();
  auto desired = desiredOf(kRoutedLab);
  for (auto& [key, route] : desired.netns["h1"].routes) {
    route.dev = "eth9";
  }
  auto actual = readFrom(kernel, true);
  const auto adoption = state::adoptNamed(desired, actual);
  EXPECT_EQ(adoption.refused,
            (std::vector<std::string>{"route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0: the "
                                      "file asks for dev eth9; not adopted"}));
}

TEST(AdoptRoutes, ARouteWithWhatAFileCannotSayIsRefused) {
  auto kernel = routedLabWithHandAddedRoute();
  routeOf(kernel, "h1", "10.0.2.0/24").unmodelled = "src 10.0.1.2";
  const auto desired = desiredOf(kRoutedLab);
  auto actual = readFrom(kernel, true);
  const auto adoption = state::adoptNamed(desired, actual);
  EXPECT_EQ(adoption.refused,
            (std::vector<std::string>{"route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0: it "
                                      "has src 10.0.1.2, which the file cannot say; not adopted"}));
  EXPECT_EQ(plan::makePlan(desired, actual).conflicts.size(), 1U);
}

TEST(AdoptRoutes, UnmarkedRoutesTheFileDoesNotNameAreNeverTouched) {
  auto kernel = routedLabWithHandAddedRoute();
  // Another hand-added route in the lab's h2 (a metric of its own: another key), and one in a
  // namespace that is no node of the file.
  auto extra = routeOf(kernel, "h2", "10.0.1.0/24");
  extra.metric = 50;
  extra.protocol = kBoot;
  kernel.world.netns["h2"].routes[extra.key()] = extra;
  kernel.world.netns["other"].name = "other";
  kernel.world.netns["other"].routes[extra.key()] = extra;
  const auto desired = desiredOf(kRoutedLab);
  auto actual = readFrom(kernel, true);
  const auto adoption = state::adoptNamed(desired, actual);
  EXPECT_EQ(adoption.adopted.size(), 1U) << ::testing::PrintToString(adoption.adopted);
  EXPECT_EQ(actual.netns["h2"].routes.count(extra.key()), 0U);
  EXPECT_TRUE(actual.netns["other"].routes.empty());
  const auto result = plan::makePlan(desired, actual);
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_EQ(lines(result.plan), (std::vector<std::string>{
                                    "~ mark route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0",
                                }));
}

TEST(AdoptRoutes, ThePlannerAloneNeverDeletesAnUnmarkedRoute) {
  // Without adoptNamed's filtering (a read with unmarked routes handed straight to the
  // planner), an unmarked route the file does not name still gets no step.
  auto kernel = routedLabWithHandAddedRoute();
  auto desired = desiredOf(kRoutedLab);
  desired.netns["h1"].routes.clear();
  const auto result = plan::makePlan(desired, readFrom(kernel, true));
  EXPECT_TRUE(result.conflicts.empty());
  EXPECT_TRUE(result.plan.empty()) << ::testing::PrintToString(lines(result.plan));
}

}  // namespace
}  // namespace nstopo
