// SPDX-License-Identifier: Apache-2.0
#include "yaml_tree.h"

#include <sstream>
#include <unordered_map>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

namespace nstopo::parse {

/// Turns yaml-cpp's parser events into a YamlTree, as yaml-cpp's own NodeBuilder turns them into
/// YAML::Nodes: an alias is the anchored node itself (shared, not copied), and a node's anchor
/// is known from its start, so an alias inside a node may name that node.
class YamlTreeBuilder : public YAML::EventHandler {
 public:
  explicit YamlTreeBuilder(YamlTree& tree) : tree_(tree) {}

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}

  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(record(YAML::NodeType::Null, mark), anchor);
  }

  void OnAlias(const YAML::Mark& /*mark*/, YAML::anchor_t anchor) override {
    pending_.push_back(anchors_.at(anchor));
  }

  void OnScalar(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                const std::string& value) override {
    const auto index = record(YAML::NodeType::Scalar, mark);
    tree_.records_[index].first = static_cast<std::uint32_t>(tree_.scalars_.size());
    tree_.scalars_.push_back(value);
    add(index, anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    open(record(YAML::NodeType::Sequence, mark), anchor);
  }

  void OnSequenceEnd() override { close(1); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open(record(YAML::NodeType::Map, mark), anchor);
  }

  void OnMapEnd() override { close(2); }

 private:
  /// A container being read: its record, and where its children start in pending_.
  struct Open {
    std::uint32_t index;
    std::size_t first_pending;
  };

  std::uint32_t record(YAML::NodeType::value type, const YAML::Mark& mark) {
    tree_.records_.push_back(YamlTree::Record{type, mark, 0, 0});
    return static_cast<std::uint32_t>(tree_.records_.size() - 1);
  }

  /// A node with an anchor is what a later alias of that anchor stands for.
  void remember(std::uint32_t index, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      anchors_[anchor] = index;
    }
  }

  void add(std::uint32_t index, YAML::anchor_t anchor) {
    remember(index, anchor);
    pending_.push_back(index);
  }

  void open(std::uint32_t index, YAML::anchor_t anchor) {
    remember(index, anchor);
    open_.push_back(Open{index, pending_.size()});
  }

  /// Children of a container are only known at its end; they are copied from pending_ (the
  /// children of every open container, innermost last) into one contiguous run.
  void close(std::size_t per_entry) {
    const Open done = open_.back();
    open_.pop_back();
    auto& record = tree_.records_[done.index];
    record.first = static_cast<std::uint32_t>(tree_.children_.size());
    record.count = static_cast<std::uint32_t>((pending_.size() - done.first_pending) / per_entry);
    tree_.children_.insert(tree_.children_.end(),
                           pending_.begin() + static_cast<std::ptrdiff_t>(done.first_pending),
                           pending_.end());
    pending_.resize(done.first_pending);
    pending_.push_back(done.index);
  }

  YamlTree& tree_;
  std::vector<Open> open_;
  std::vector<std::uint32_t> pending_;
  std::unordered_map<YAML::anchor_t, std::uint32_t> anchors_;
};

YamlTree YamlTree::parse(const std::string& text) {
  YamlTree tree;
  std::istringstream in(text);
  YAML::Parser parser(in);
  YamlTreeBuilder builder(tree);
  parser.HandleNextDocument(builder);
  return tree;
}

YamlTree YamlTree::mapOfScalars(const std::vector<std::pair<std::string, std::string>>& entries) {
  YamlTree tree;
  YamlTreeBuilder builder(tree);
  builder.OnMapStart(YAML::Mark::null_mark(), "", YAML::NullAnchor, YAML::EmitterStyle::Default);
  for (const auto& [key, value] : entries) {
    builder.OnScalar(YAML::Mark::null_mark(), "", YAML::NullAnchor, key);
    builder.OnScalar(YAML::Mark::null_mark(), "", YAML::NullAnchor, value);
  }
  builder.OnMapEnd();
  return tree;
}

YamlNode YamlTree::root() const {
  // The root is the first node read: containers record themselves when they start.
  return records_.empty() ? YamlNode() : YamlNode(this, 0);
}

YAML::NodeType::value YamlNode::Type() const {
  if (index_ == kNoNode) {
    return YAML::NodeType::Null;
  }
  if (index_ == kUndefined) {
    return YAML::NodeType::Undefined;
  }
  return tree_->records_[index_].type;
}

const std::string& YamlNode::Scalar() const {
  static const std::string kEmpty;
  return IsScalar() ? tree_->scalars_[tree_->records_[index_].first] : kEmpty;
}

YAML::Mark YamlNode::Mark() const {
  return index_ < kUndefined ? tree_->records_[index_].mark : YAML::Mark::null_mark();
}

std::size_t YamlNode::size() const {
  return IsMap() || IsSequence() ? tree_->records_[index_].count : 0;
}

YamlNode YamlNode::operator[](const std::string& key) const {
  if (IsMap()) {
    for (const auto& entry : *this) {
      if (entry.first.IsScalar() && entry.first.Scalar() == key) {
        return entry.second;
      }
    }
  }
  return YamlNode(tree_, kUndefined);
}

YamlNode YamlNode::operator[](std::size_t index) const {
  if (IsSequence() && index < size()) {
    return YamlNode(tree_, tree_->children_[tree_->records_[index_].first + index]);
  }
  return YamlNode(tree_, kUndefined);
}

YamlItem YamlNode::Iterator::operator*() const {
  const auto& record = parent_.tree_->records_[parent_.index_];
  const auto& children = parent_.tree_->children_;
  YamlItem item;
  if (record.type == YAML::NodeType::Map) {
    item.first = YamlNode(parent_.tree_, children[record.first + 2 * at_]);
    item.second = YamlNode(parent_.tree_, children[record.first + 2 * at_ + 1]);
  } else {
    static_cast<YamlNode&>(item) = YamlNode(parent_.tree_, children[record.first + at_]);
  }
  return item;
}

}  // namespace nstopo::parse
