// SPDX-License-Identifier: Apache-2.0
// src/cli/load.cpp: every command reads a file the same way, and --json gets one document.
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/load.h"

namespace nstopo::cli {
namespace {

const std::string kSourceDir = NSTOPO_SOURCE_DIR;
/// An address that is text: a problem at a line and column.
const std::string kBroken = kSourceDir + "/tests/hostile/cidr-text.yaml";
const std::string kValid = kSourceDir + "/topologies/default.yaml";

struct Printed {
  std::string out;
  std::string err;
};

template <typename Work>
Printed capture(Work&& work) {
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  work();
  std::fflush(stdout);
  std::fflush(stderr);
  Printed printed;
  printed.out = testing::internal::GetCapturedStdout();
  printed.err = testing::internal::GetCapturedStderr();
  return printed;
}

TEST(LoadOrReport, AValidFileGivesItsTopologyAndPrintsNothing) {
  std::optional<model::Topology> topology;
  const auto printed = capture([&] { topology = loadOrReport(GlobalOptions{}, kValid); });
  ASSERT_TRUE(topology.has_value());
  EXPECT_FALSE(topology->name.empty());
  EXPECT_EQ(printed.out, "");
  EXPECT_EQ(printed.err, "");
}

TEST(LoadOrReport, ProblemsGoToStderrOnlyWithoutJson) {
  std::optional<model::Topology> topology;
  const auto printed = capture([&] { topology = loadOrReport(GlobalOptions{}, kBroken); });
  EXPECT_FALSE(topology.has_value());
  EXPECT_EQ(printed.out, "");
  EXPECT_NE(printed.err.find(kBroken + ":"), std::string::npos) << printed.err;
}

TEST(LoadOrReport, JsonPrintsOneDocumentWithEveryProblem) {
  GlobalOptions global;
  global.json = true;
  std::optional<model::Topology> topology;
  const auto printed = capture([&] { topology = loadOrReport(global, kBroken); });
  EXPECT_FALSE(topology.has_value());
  const auto json = nlohmann::json::parse(printed.out);  // exactly one document, or it throws
  EXPECT_EQ(json.at("file"), kBroken);
  EXPECT_EQ(json.at("valid"), false);
  ASSERT_TRUE(json.at("problems").is_array());
  ASSERT_FALSE(json.at("problems").empty());
  for (const auto& problem : json.at("problems")) {
    EXPECT_TRUE(problem.at("message").is_string());
    EXPECT_EQ(problem.at("file"), kBroken);
    EXPECT_GT(problem.at("line").get<int>(), 0);
    EXPECT_GT(problem.at("column").get<int>(), 0);
  }
  // The same problems, one line each, still go to stderr for a person watching.
  std::size_t lines = 0;
  for (const char c : printed.err) {
    lines += c == '\n' ? 1 : 0;
  }
  EXPECT_GE(lines, json.at("problems").size());
}

TEST(ResolveTarget, AFileNamesItsLab) {
  std::optional<LabTarget> target;
  capture([&] { target = resolveTarget(GlobalOptions{}, {kValid, ""}); });
  ASSERT_TRUE(target.has_value());
  ASSERT_TRUE(target->topology.has_value());
  EXPECT_EQ(target->lab, target->topology->name);
}

TEST(ResolveTarget, ALabNameIsCheckedLikeTheFilesName) {
  std::optional<LabTarget> target;
  capture([&] { target = resolveTarget(GlobalOptions{}, {"", "lab1"}); });
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(target->lab, "lab1");
  EXPECT_FALSE(target->topology.has_value());
  const auto printed = capture([&] { target = resolveTarget(GlobalOptions{}, {"", "../etc"}); });
  EXPECT_FALSE(target.has_value());
  EXPECT_NE(printed.err.find("--lab: "), std::string::npos) << printed.err;
}

TEST(ResolveTarget, ABrokenFileIsReportedOnce) {
  GlobalOptions global;
  global.json = true;
  std::optional<LabTarget> target;
  const auto printed = capture([&] { target = resolveTarget(global, {kBroken, ""}); });
  EXPECT_FALSE(target.has_value());
  EXPECT_EQ(nlohmann::json::parse(printed.out).at("valid"), false);
}

}  // namespace
}  // namespace nstopo::cli
