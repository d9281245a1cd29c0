// SPDX-License-Identifier: Apache-2.0
// src/app/verify.cpp runProbes: a probe that fails against the file's expectation of reaching its
// target while others run beside it is tried again alone; nothing else is probed twice.
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/app/verify.h"

namespace nstopo::app {
namespace {

ProbeSpec spec(const std::string& from, bool expect_reachable) {
  ProbeSpec s;
  s.from = from;
  s.target = "10.0.0.1";
  s.expect_reachable = expect_reachable;
  return s;
}

class RunProbes : public ::testing::Test {
 protected:
  /// Answers each probe from `first` on its first call and from `later` after that.
  ProbeResult probe(const ProbeSpec& s) {
    const std::lock_guard lock(mutex);
    const int call = ++calls[s.from];
    return ProbeResult{s, call == 1 ? first[s.from] : later[s.from], 1.0, ""};
  }

  std::mutex mutex;
  std::map<std::string, int> calls;
  std::map<std::string, bool> first, later;
};

TEST_F(RunProbes, AnUnexpectedFailureAmongParallelProbesIsTriedAgainAlone) {
  first = {{"lost", false}, {"fine", true}};
  later = {{"lost", true}, {"fine", true}};
  const auto results = runProbes(
      {spec("lost", true), spec("fine", true)}, [&](const ProbeSpec& s) { return probe(s); }, 4);
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].ok());
  EXPECT_EQ(calls["lost"], 2);
  EXPECT_EQ(calls["fine"], 1);
}

TEST_F(RunProbes, AFailureThatPersistsStaysAFailure) {
  first = later = {{"cut", false}};
  const auto results = runProbes(
      {spec("cut", true)}, [&](const ProbeSpec& s) { return probe(s); }, 4);
  EXPECT_FALSE(results[0].ok());
  EXPECT_EQ(calls["cut"], 2);
}

TEST_F(RunProbes, ExpectedOutcomesAndSerialRunsAreProbedOnce) {
  first = {{"isolated", false}, {"leaks", true}, {"serial", false}};
  later = {{"isolated", true}, {"leaks", true}, {"serial", true}};
  auto results = runProbes(
      {spec("isolated", false), spec("leaks", false)}, [&](const ProbeSpec& s) { return probe(s); },
      4);
  EXPECT_TRUE(results[0].ok());   // unreachable, as expected
  EXPECT_FALSE(results[1].ok());  // reached a target the file says it must not: conclusive
  results = runProbes(
      {spec("serial", true)}, [&](const ProbeSpec& s) { return probe(s); }, 1);
  EXPECT_FALSE(results[0].ok());  // alone already: its answer stands
  EXPECT_EQ(calls["isolated"], 1);
  EXPECT_EQ(calls["leaks"], 1);
  EXPECT_EQ(calls["serial"], 1);
}

TEST_F(RunProbes, BatchesRunInOrderWithTheirFlushBetweenAndNotAfterTheLast) {
  std::vector<ProbeSpec> probes;
  for (int i = 0; i < 7; ++i) {
    const std::string name = "p" + std::to_string(i);
    probes.push_back(spec(name, true));
    first[name] = later[name] = true;
  }
  std::vector<std::string> events;  // probes and flushes, in the order they happened
  const auto results = runProbes(
      probes,
      [&](const ProbeSpec& s) {
        {
          const std::lock_guard lock(mutex);
          events.push_back(s.from);
        }
        return probe(s);
      },
      4, ProbeBatches{3, [&] { events.emplace_back("flush"); }});
  ASSERT_EQ(results.size(), 7U);
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].spec.from, probes[i].from);  // each result in its probe's place
    EXPECT_TRUE(results[i].ok());
  }
  ASSERT_EQ(events.size(), 9U);  // 7 probes and 2 flushes: none after the last batch
  EXPECT_EQ(events[3], "flush");
  EXPECT_EQ(events[7], "flush");
  const std::set<std::string> first_batch(events.begin(), events.begin() + 3);
  EXPECT_EQ(first_batch, (std::set<std::string>{"p0", "p1", "p2"}));
  EXPECT_EQ(events[8], "p6");
}

TEST(ProbeBatchSize, StaysWithinHalfTheNeighbourTableAtFourEntriesAProbe) {
  EXPECT_EQ(probeBatchSize(1024), 128U);
  EXPECT_EQ(probeBatchSize(16384), 2048U);
  EXPECT_EQ(probeBatchSize(8), 16U);  // never fewer than 16 at a time
}

}  // namespace
}  // namespace nstopo::app
