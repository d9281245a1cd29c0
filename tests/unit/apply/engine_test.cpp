// SPDX-License-Identifier: Apache-2.0
// The apply engine (src/apply/engine.cpp) against scripted drivers: how it batches a plan by
// phase and driver, what a failure, an interruption or a failed undo leave in the report, and
// the order of a rollback. The drivers record every action they are handed.
#include "nstopo/apply/engine.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/core/cidr.h"
#include "nstopo/plan/action.h"
#include "nstopo/plan/plan.h"

namespace nstopo {
namespace {

constexpr int kEexist = 17;
constexpr int kEperm = 1;

/// An action's description with its alternative: a creation and the deletion that undoes it
/// describe alike ("netns n1").
std::string keyOf(const plan::Action& action) {
  return std::to_string(action.index()) + " " + plan::describe(action);
}

/// Handles the actions of the namespaces it owns; answers each with the error its script
/// gives for that action's key (success otherwise), and records the key of every call.
class ScriptedDriver final : public apply::Driver {
 public:
  explicit ScriptedDriver(std::set<std::string> owned) : owned_(std::move(owned)) {}

  std::vector<std::vector<std::string>> batches;  ///< keyOf() of each batch, in order
  std::vector<std::string> log;                   ///< keyOf() every action, in order
  std::map<std::string, int> failures;            ///< keyOf() -> errno to fail with
  std::size_t expected_steps = 0;                 ///< the size of the plan expect() saw
  std::size_t batches_before_expect = 0;          ///< batches handed in before expect()

  void expect(const plan::Plan& plan) override {
    expected_steps = plan.steps.size();
    batches_before_expect = batches.size();
  }

  [[nodiscard]] bool handles(const plan::Action& action) const override {
    return owned_.count(plan::netnsOf(action)) > 0;
  }

  [[nodiscard]] Status read(const state::ReadScope& /*scope*/, state::State& /*into*/) override {
    return {};
  }

  [[nodiscard]] std::vector<Status> apply(std::span<const plan::Action* const> batch) override {
    std::vector<Status> results;
    std::vector<std::string> described;
    for (const auto* action : batch) {
      const auto what = keyOf(*action);
      described.push_back(what);
      log.push_back(what);
      if (const auto failure = failures.find(what); failure != failures.end()) {
        results.push_back(tl::unexpected(
            Error{ErrorKind::kKernel, "scripted failure of " + what, {}, failure->second}));
      } else {
        results.emplace_back();
      }
    }
    batches.push_back(described);
    return results;
  }

 private:
  std::set<std::string> owned_;
};

plan::Step step(plan::Phase phase, plan::Action action) {
  return plan::Step{phase, plan::Change::kCreate, std::move(action), {}};
}

plan::Action netns(const std::string& name) {
  return plan::CreateNetns{name, "lab", true};
}

plan::Action sysctl(const std::string& ns, const std::string& value) {
  return plan::SetSysctl{ns, "net.ipv4.ip_forward", value, "0"};
}

/// What the rollback hands the driver for `action` (each of these has a one-action inverse).
std::string undoOf(const plan::Action& action) {
  const auto undo = plan::inverseOf(action);
  EXPECT_EQ(undo.size(), 1U) << keyOf(action);
  return undo.empty() ? "" : keyOf(undo.front());
}

/// n1 and n2 belong to `first`, n3 to `second`: three namespaces, then a sysctl in each.
plan::Plan threeNodes() {
  plan::Plan plan;
  plan.lab = "lab";
  for (const auto* name : {"n1", "n2", "n3"}) {
    plan.steps.push_back(step(plan::Phase::kCreateNetns, netns(name)));
  }
  for (const auto* name : {"n1", "n2", "n3"}) {
    plan.steps.push_back(step(plan::Phase::kSysctls, sysctl(name, "1")));
  }
  return plan;
}

TEST(Engine, HandsEachDriverItsShareOfAPhaseInOneBatch) {
  ScriptedDriver first({"n1", "n2"});
  ScriptedDriver second({"n3"});
  apply::Driver* drivers[] = {&first, &second};
  std::vector<std::size_t> progress;
  apply::ApplyOptions options;
  options.progress = [&](std::size_t done, std::size_t /*total*/) { progress.push_back(done); };
  const auto plan = threeNodes();

  const auto report = apply::applyPlan(plan, drivers, options);

  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report.applied, 6U);
  ASSERT_EQ(first.batches.size(), 2U);  // one per phase
  EXPECT_EQ(first.batches[0], (std::vector<std::string>{keyOf(netns("n1")), keyOf(netns("n2"))}));
  EXPECT_EQ(second.batches.size(), 2U);
  EXPECT_EQ(progress, (std::vector<std::size_t>{3, 6}));
}

// A driver may do a later step early (the netlink driver writes new namespaces' sysctls while
// it creates them): it sees the whole plan before the first batch.
TEST(Engine, EveryDriverSeesTheWholePlanBeforeTheFirstBatch) {
  ScriptedDriver first({"n1", "n2"});
  ScriptedDriver second({"n3"});
  apply::Driver* drivers[] = {&first, &second};

  ASSERT_TRUE(apply::applyPlan(threeNodes(), drivers, {}).ok());

  for (const auto* driver : {&first, &second}) {
    EXPECT_EQ(driver->expected_steps, 6U);
    EXPECT_EQ(driver->batches_before_expect, 0U);
    EXPECT_EQ(driver->batches.size(), 2U);
  }
}

TEST(Engine, AFailureStopsAfterItsPhaseAndUndoesNewestFirst) {
  ScriptedDriver first({"n1", "n2"});
  ScriptedDriver second({"n3"});
  second.failures[keyOf(sysctl("n3", "1"))] = kEperm;
  apply::Driver* drivers[] = {&first, &second};

  const auto report = apply::applyPlan(threeNodes(), drivers, {});

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.failed_step, 5U);
  EXPECT_EQ(report.failure->sys_errno, kEperm);
  EXPECT_EQ(report.applied, 5U);
  EXPECT_TRUE(report.rolled_back);
  EXPECT_TRUE(report.leftovers.empty());
  // The undo of step 4 (n2's sysctl back to "0") comes before the undo of step 0 (n1's netns).
  const auto undo_sysctl = undoOf(sysctl("n2", "1"));
  const auto undo_netns = undoOf(netns("n1"));
  // first ran n1, n2 and their sysctls (4 actions); what comes after is the rollback.
  ASSERT_GT(first.log.size(), 4U);
  const std::vector<std::string> undone(first.log.begin() + 4, first.log.end());
  const auto at = [&](const std::string& what) {
    return std::find(undone.begin(), undone.end(), what) - undone.begin();
  };
  ASSERT_LT(at(undo_sysctl), static_cast<long>(undone.size())) << undo_sysctl;
  ASSERT_LT(at(undo_netns), static_cast<long>(undone.size())) << undo_netns;
  EXPECT_LT(at(undo_sysctl), at(undo_netns));
  // n3's namespace was created and is deleted again; its failed sysctl is not undone.
  EXPECT_EQ(second.log.back(), undoOf(netns("n3")));
}

TEST(Engine, WithoutRollbackTheAppliedStepsStay) {
  ScriptedDriver only({"n1", "n2", "n3"});
  only.failures[keyOf(netns("n2"))] = kEperm;
  apply::Driver* drivers[] = {&only};
  apply::ApplyOptions options;
  options.rollback_on_failure = false;

  const auto report = apply::applyPlan(threeNodes(), drivers, options);

  EXPECT_EQ(report.failed_step, 1U);
  EXPECT_EQ(report.applied, 2U);  // n1 and n3: the rest of the phase still ran
  EXPECT_FALSE(report.rolled_back);
  EXPECT_EQ(only.log.size(), 3U);  // no sysctl phase, no undo
}

TEST(Engine, AnUndoThatFailsIsALeftover) {
  ScriptedDriver only({"n1", "n2", "n3"});
  only.failures[keyOf(sysctl("n1", "1"))] = kEperm;
  only.failures[undoOf(netns("n2"))] = kEperm;
  apply::Driver* drivers[] = {&only};

  const auto report = apply::applyPlan(threeNodes(), drivers, {});

  EXPECT_FALSE(report.rolled_back);
  ASSERT_EQ(report.leftovers.size(), 1U);
  EXPECT_NE(report.leftovers.front().message.find("n2"), std::string::npos)
      << report.leftovers.front().message;
}

TEST(Engine, AnInterruptionBetweenPhasesRollsBack) {
  ScriptedDriver only({"n1", "n2", "n3"});
  apply::Driver* drivers[] = {&only};
  int polls = 0;
  apply::ApplyOptions options;
  options.interrupted = [&] { return ++polls > 1; };  // after the first phase

  const auto report = apply::applyPlan(threeNodes(), drivers, options);

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.failure->kind, ErrorKind::kInterrupted);
  EXPECT_TRUE(report.rolled_back);
  EXPECT_EQ(only.log.size(), 6U);  // three creations, three deletions
}

TEST(Engine, AStepNoDriverHandlesIsABugAndNothingStays) {
  ScriptedDriver only({"n1", "n2"});
  apply::Driver* drivers[] = {&only};

  const auto report = apply::applyPlan(threeNodes(), drivers, {});

  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.failure->kind, ErrorKind::kBug);
  EXPECT_EQ(report.failed_step, 2U);
  EXPECT_TRUE(report.rolled_back);
}

TEST(Engine, AFailedDeletionThatMayHaveHappenedIsUndoneUnlessTheObjectIsStillThere) {
  // The kernel deletes secondaries with their primary: a DeleteAddress that fails may have
  // happened all the same, so the rollback re-adds the address; EEXIST there means it never
  // went, and is no leftover.
  const plan::Action gone = plan::DeleteAddress{{"n1", "eth0"}, *parseCidr("10.0.0.1/24")};
  const plan::Action readd = plan::inverseOf(gone).front();
  for (const int undo_errno : {0, kEexist}) {
    ScriptedDriver only({"n1"});
    only.failures[keyOf(gone)] = kEperm;
    if (undo_errno != 0) {
      only.failures[keyOf(readd)] = undo_errno;
    }
    apply::Driver* drivers[] = {&only};
    plan::Plan plan;
    plan.steps.push_back(step(plan::Phase::kDeleteAddresses, gone));

    const auto report = apply::applyPlan(plan, drivers, {});

    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.applied, 0U);  // uncertain steps are not counted as applied
    EXPECT_EQ(only.log, (std::vector<std::string>{keyOf(gone), keyOf(readd)}));
    EXPECT_TRUE(report.rolled_back) << "undo errno " << undo_errno;
  }
}

TEST(Engine, UndoPlanUndoesEveryStepNewestFirst) {
  ScriptedDriver only({"n1", "n2", "n3"});
  apply::Driver* drivers[] = {&only};

  EXPECT_TRUE(apply::undoPlan(threeNodes(), drivers).empty());

  ASSERT_EQ(only.log.size(), 6U);
  EXPECT_EQ(only.log.front(), undoOf(sysctl("n3", "1")));
  EXPECT_EQ(only.log.back(), undoOf(netns("n1")));
}

}  // namespace
}  // namespace nstopo
