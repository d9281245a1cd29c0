// SPDX-License-Identifier: Apache-2.0
// The hostile-input table (tests/hostile): every malformed topology gives a clear first problem
// at file:line:column, exactly as recorded in expected.tsv. Plus inputs too big to keep on disk.
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "nstopo/model/validate.h"
#include "nstopo/parse/yaml_loader.h"

namespace nstopo {
namespace {

struct HostileCase {
  std::string file;
  std::string expected;  ///< first problem, with the file name written as FILE
};

std::vector<HostileCase> loadTable() {
  std::vector<HostileCase> cases;
  std::ifstream in(std::string(NSTOPO_SOURCE_DIR) + "/tests/hostile/expected.tsv");
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) {
      cases.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
  }
  return cases;
}

std::vector<Error> problemsOf(const std::string& text, const std::string& file) {
  auto loaded = parse::parseTopology(text, file);
  if (loaded.problems.empty()) {
    loaded.problems = model::validate(loaded.topology);
  }
  return loaded.problems;
}

class HostileInput : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileInput, FirstProblemIsClearAndLocated) {
  const auto& c = GetParam();
  std::ifstream in(std::string(NSTOPO_SOURCE_DIR) + "/tests/hostile/" + c.file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  const auto start = std::chrono::steady_clock::now();
  const auto problems = problemsOf(text.str(), "FILE");
  // A hang guard only (a generous bound): parsing must not explode on aliases or nesting.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_FALSE(problems.empty()) << c.file << " was accepted";
  EXPECT_EQ(formatError(problems.front()), c.expected);
  for (const auto& problem : problems) {
    EXPECT_TRUE(problem.where.known()) << c.file << ": " << problem.message;
  }
}

std::string caseName(const ::testing::TestParamInfo<HostileCase>& info) {
  std::string name = info.param.file.substr(0, info.param.file.find('.'));
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      c = '_';
    }
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Table, HostileInput, ::testing::ValuesIn(loadTable()), caseName);

TEST(HostileInputTable, HasAtLeastAHundredCases) {
  EXPECT_GE(loadTable().size(), 100U);
}

TEST(HostileInputGenerated, HugeFileIsRefusedWithoutParsing) {
  const std::string huge = "name: lab\n" + std::string(5 * 1024 * 1024, '#') + "\n";
  const auto problems = problemsOf(huge, "huge.yaml");
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(formatError(problems[0]),
            "huge.yaml:1:1: error: the file is 5242891 bytes; a topology may be at most 4194304 "
            "bytes");
}

TEST(HostileInputGenerated, VeryDeepNestingIsAClearError) {
  for (const auto& [open, close] : {std::pair{"[", "]"}, std::pair{"{a: ", "}"}}) {
    std::string text = "name: lab\nnodes: ";
    for (int i = 0; i < 10000; ++i) {
      text += open;
    }
    for (int i = 0; i < 10000; ++i) {
      text += close;
    }
    const auto problems = problemsOf(text, "deep.yaml");
    ASSERT_FALSE(problems.empty());
    EXPECT_NE(problems[0].message.find("too deep"), std::string::npos) << problems[0].message;
    EXPECT_TRUE(problems[0].where.known());
  }
}

}  // namespace
}  // namespace nstopo
