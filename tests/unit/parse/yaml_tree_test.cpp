// SPDX-License-Identifier: Apache-2.0
// The loader's YamlTree against yaml-cpp's own YAML::Load: for every YAML file of the project
// (the hostile inputs, the fuzz corpus, the example and seed labs) both give the same tree,
// with the same places, or fail with the same error at the same place. Files that the loader's
// precheck refuses never reach either parser (a NUL byte can hang yaml-cpp, deep flow nesting
// overflow its stack), so they are left out here too.
#include "parse/yaml_tree.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "parse/text_precheck.h"
#include "support/file_text.h"

namespace nstopo {
namespace {

namespace fs = std::filesystem;
using parse::YamlNode;
using parse::YamlTree;

/// Compares two trees node by node. An alias bomb (or an alias inside its own anchor) is a
/// graph far larger than its file, so the walk stops after `budget` nodes or below kMaxDepth
/// levels, equal so far.
class TreeComparer {
 public:
  explicit TreeComparer(std::size_t budget) : budget_(budget) {}

  void compare(const YAML::Node& expected, const YamlNode& actual, const std::string& path) {
    constexpr std::size_t kMaxDepth = 100;
    if (budget_ == 0 || !difference_.empty() || path.size() > kMaxDepth * 8) {
      return;
    }
    --budget_;
    if (expected.Type() != actual.Type()) {
      difference_ = path + ": type";
      return;
    }
    if (expected.Mark().line != actual.Mark().line ||
        expected.Mark().column != actual.Mark().column) {
      difference_ = path + ": place";
      return;
    }
    if (expected.Scalar() != actual.Scalar() || expected.size() != actual.size()) {
      difference_ = path + ": text or size";
      return;
    }
    if (expected.IsSequence()) {
      std::size_t i = 0;
      auto item = actual.begin();
      for (const auto& want : expected) {
        compare(want, *item, path + "/" + std::to_string(i++));
        ++item;
      }
    } else if (expected.IsMap()) {
      auto entry = actual.begin();
      for (const auto& want : expected) {
        const auto got = *entry;
        compare(want.first, got.first, path + "/key:" + want.first.Scalar());
        compare(want.second, got.second, path + "/" + want.first.Scalar());
        ++entry;
      }
    }
  }

  [[nodiscard]] const std::string& difference() const { return difference_; }

 private:
  std::size_t budget_;
  std::string difference_;
};

/// "ok" and the tree's first difference, or the error's text and place.
std::string outcomeOfBoth(const std::string& text) {
  std::string yaml_cpp;
  YAML::Node expected;
  try {
    expected = YAML::Load(text);
  } catch (const YAML::Exception& error) {
    yaml_cpp = error.what();
  }
  try {
    const YamlTree tree = YamlTree::parse(text);
    if (!yaml_cpp.empty()) {
      return "yaml-cpp failed, YamlTree did not: " + yaml_cpp;
    }
    TreeComparer comparer(100'000);
    comparer.compare(expected, tree.root(), "");
    return comparer.difference();
  } catch (const YAML::Exception& error) {
    return yaml_cpp == error.what()
               ? ""
               : "YamlTree: " + std::string(error.what()) + " yaml-cpp: " + yaml_cpp;
  }
}

TEST(YamlTreeTest, EveryYamlFileOfTheProjectReadsAsYamlCppReadsIt) {
  std::size_t files = 0;
  std::size_t refused = 0;
  for (const char* dir : {"tests/hostile", "tests/fuzz/corpus", "topologies", "tests/data"}) {
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(NSTOPO_SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".yaml" || entry.file_size() > 4'000'000) {
        continue;
      }
      const auto text = support::fileText(entry.path().string());
      if (parse::precheckText(text, entry.path().string())) {
        continue;
      }
      EXPECT_EQ(outcomeOfBoth(text), "") << entry.path();
      ++files;
      try {
        (void)YAML::Load(text);
      } catch (const YAML::Exception&) {
        ++refused;
      }
    }
  }
  // The hostile inputs alone are over 300 files, and some are refused by the parser itself.
  EXPECT_GT(files, 300U);
  EXPECT_GT(refused, 5U);
}

TEST(YamlTreeTest, ReadsScalarsNullsAndPlaces) {
  const auto tree =
      YamlTree::parse("name: lab\nnodes:\n  h1: ~\n  h2: {mtu: 1400}\nlist: [a, 'b']\n");
  const auto root = tree.root();
  ASSERT_TRUE(root.IsMap());
  EXPECT_EQ(root.size(), 3U);
  EXPECT_EQ(root["name"].Scalar(), "lab");
  EXPECT_TRUE(root["nodes"]["h1"].IsNull());
  EXPECT_EQ(root["nodes"]["h2"]["mtu"].Scalar(), "1400");
  EXPECT_EQ(root["nodes"]["h2"]["mtu"].Mark().line, 3);
  EXPECT_EQ(root["nodes"]["h2"]["mtu"].Mark().column, 12);
  EXPECT_EQ(root["list"].size(), 2U);
  EXPECT_EQ((*++root["list"].begin()).Scalar(), "b");
  EXPECT_EQ(root["nodes"].Scalar(), "");  // not a scalar: empty, as in yaml-cpp
}

TEST(YamlTreeTest, MissingKeysAreUndefinedAndTheEmptyTextIsNull) {
  const auto tree = YamlTree::parse("a: 1\n");
  EXPECT_FALSE(tree.root()["b"].IsDefined());
  EXPECT_FALSE(tree.root()["b"]);
  EXPECT_FALSE(tree.root()["a"]["c"].IsDefined());  // a scalar has no keys
  EXPECT_TRUE(YamlTree::parse("").root().IsNull());
  EXPECT_TRUE(YamlTree::parse("# only a comment\n").root().IsNull());
  EXPECT_EQ(YamlNode().Mark().line, -1);
}

TEST(YamlTreeTest, AnAliasIsItsAnchoredNodeAndDuplicateKeysAreKept) {
  const auto tree = YamlTree::parse("x: &v {a: 1}\ny: *v\ny: 2\n");
  const auto root = tree.root();
  EXPECT_EQ(root.size(), 3U);
  EXPECT_EQ(root["y"]["a"].Scalar(), "1");  // the first `y`
  EXPECT_EQ(root["y"].Mark().line, root["x"].Mark().line);
}

TEST(YamlTreeTest, SyntaxErrorsAreYamlCppsWithTheirPlace) {
  try {
    (void)YamlTree::parse("a: [1, 2\nb: 3\n");
    FAIL() << "no error";
  } catch (const YAML::ParserException& error) {
    EXPECT_GE(error.mark.line, 0);
  }
}

TEST(YamlTreeTest, MapOfScalarsKeepsTheGivenOrderAndHasNoPlace) {
  const auto tree = YamlTree::mapOfScalars({{"delay", "10ms"}, {"loss", "1%"}});
  const auto root = tree.root();
  ASSERT_EQ(root.size(), 2U);
  EXPECT_EQ((*root.begin()).first.Scalar(), "delay");
  EXPECT_EQ(root["loss"].Scalar(), "1%");
  EXPECT_EQ(root["loss"].Mark().line, -1);
}

}  // namespace
}  // namespace nstopo
