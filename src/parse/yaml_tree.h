// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/mark.h>
#include <yaml-cpp/node/type.h>

/// The loader's own read-only YAML tree. yaml-cpp's YAML::Node tree costs about 400 bytes a
/// node (a shared_ptr'd node, ref and data each, in a set of the document's nodes); the chain of
/// 10,000 namespaces is 360,000 nodes, 150 MB. This tree is built from yaml-cpp's parser events,
/// so the syntax, the errors and their places are yaml-cpp's, and keeps a node in 24 bytes plus
/// its text. YamlNode reads like the part of YAML::Node the loader uses.
namespace nstopo::parse {

class YamlTree;

/// A node of a YamlTree, or an undefined node (a missing key), or a null node of no tree. It
/// refers into its tree, which must outlive it.
class YamlNode {
 public:
  YamlNode() = default;  ///< a null node

  [[nodiscard]] YAML::NodeType::value Type() const;

  [[nodiscard]] bool IsDefined() const { return Type() != YAML::NodeType::Undefined; }

  [[nodiscard]] bool IsNull() const { return Type() == YAML::NodeType::Null; }

  [[nodiscard]] bool IsScalar() const { return Type() == YAML::NodeType::Scalar; }

  [[nodiscard]] bool IsSequence() const { return Type() == YAML::NodeType::Sequence; }

  [[nodiscard]] bool IsMap() const { return Type() == YAML::NodeType::Map; }

  explicit operator bool() const { return IsDefined(); }

  /// The text of a scalar; empty for any other node, as in yaml-cpp.
  [[nodiscard]] const std::string& Scalar() const;
  /// Where the node starts in the file; the null mark (line -1) for a node of no file.
  [[nodiscard]] YAML::Mark Mark() const;
  /// Entries of a mapping or items of a sequence; 0 for any other node.
  [[nodiscard]] std::size_t size() const;

  /// The value of the first entry whose key is the scalar `key`; undefined when there is none or
  /// this is no mapping.
  [[nodiscard]] YamlNode operator[](const std::string& key) const;
  /// The item at `index` of a sequence; undefined past its end or when this is no sequence.
  [[nodiscard]] YamlNode operator[](std::size_t index) const;

  class Iterator;
  [[nodiscard]] Iterator begin() const;
  [[nodiscard]] Iterator end() const;

 private:
  friend class YamlTree;
  static constexpr std::uint32_t kNoNode = UINT32_MAX;
  static constexpr std::uint32_t kUndefined = UINT32_MAX - 1;

  YamlNode(const YamlTree* tree, std::uint32_t index) : tree_(tree), index_(index) {}

  const YamlTree* tree_ = nullptr;
  std::uint32_t index_ = kNoNode;
};

/// What iterating a YamlNode gives: an item of a sequence, or an entry (`first`, `second`) of a
/// mapping.
struct YamlItem : YamlNode {
  YamlNode first;
  YamlNode second;
};

class YamlNode::Iterator {
 public:
  Iterator(const YamlNode& parent, std::size_t at) : parent_(parent), at_(at) {}

  YamlItem operator*() const;

  Iterator& operator++() {
    ++at_;
    return *this;
  }

  bool operator!=(const Iterator& other) const { return at_ != other.at_; }

 private:
  YamlNode parent_;
  std::size_t at_;
};

inline YamlNode::Iterator YamlNode::begin() const {
  return {*this, 0};
}

inline YamlNode::Iterator YamlNode::end() const {
  return {*this, size()};
}

class YamlTree {
 public:
  /// The first document of `text`. Throws what YAML::Load would: YAML::ParserException with the
  /// place of a syntax error, YAML::DeepRecursion for nesting too deep.
  static YamlTree parse(const std::string& text);

  /// A mapping of scalars of no file, in this order (for options given on the command line).
  static YamlTree mapOfScalars(const std::vector<std::pair<std::string, std::string>>& entries);

  /// The document's root; a null node when the text holds no document.
  [[nodiscard]] YamlNode root() const;

 private:
  friend class YamlNode;
  friend class YamlTreeBuilder;

  struct Record {
    YAML::NodeType::value type = YAML::NodeType::Null;
    YAML::Mark mark;
    std::uint32_t first = 0;  ///< the scalar's index in scalars_, or the first child in children_
    std::uint32_t count = 0;  ///< items, or entries of a mapping (two children each: key, value)
  };

  std::vector<Record> records_;
  std::vector<std::uint32_t> children_;
  std::vector<std::string> scalars_;
};

}  // namespace nstopo::parse
