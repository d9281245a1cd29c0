// SPDX-License-Identifier: Apache-2.0
#include "yaml_fields.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/core/suggest.h"

namespace nstopo::parse {

YamlNode child(const YamlNode& map, const std::string& key) {
  const YamlNode value = map[key];
  return value.IsDefined() ? value : YamlNode();
}

YAML::Node child(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) {
    return YAML::Node();
  }
  const YAML::Node value = map[key];
  return value.IsDefined() ? value : YAML::Node();
}

namespace {

const char* typeName(const YamlNode& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

}  // namespace

SourceLoc FieldReader::at(const YAML::Mark& mark) const {
  if (mark.line < 0) {
    return SourceLoc{file_, 0, 0};
  }
  return SourceLoc{file_, mark.line + 1, mark.column + 1};
}

SourceLoc FieldReader::at(const YamlNode& node) const {
  return at(node.Mark());
}

void FieldReader::countValue() {
  if (++values_ > kMaxYamlValues) {
    throw TooManyYamlValues{};
  }
}

void FieldReader::problem(const SourceLoc& loc, std::string message) {
  if (instance_ && !instance_->label.empty()) {
    message = instance_->label + ": " + message;
  }
  problems_.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), loc, 0});
}

void FieldReader::setInstance(const IndexRange& range, std::int64_t i, std::string label) {
  instance_ = Instance{range, i, std::move(label)};
}

std::optional<std::string> FieldReader::scalar(const YamlNode& node, const SourceLoc& loc,
                                               const std::string& what) {
  if (!instance_) {
    return node.Scalar();
  }
  auto text = instantiate(node.Scalar(), instance_->range, instance_->i);
  if (!text) {
    problem(loc, fmt::format("{}: {}", what, text.error()));
    return std::nullopt;
  }
  return *text;
}

bool FieldReader::forEachEntry(
    const YamlNode& node, const std::string& what,
    const std::function<void(const std::string&, const SourceLoc&, const YamlNode&)>& visit) {
  if (node.IsNull()) {
    return true;
  }
  if (!node.IsMap()) {
    problem(at(node), fmt::format("{} must be a mapping, found {}", what, typeName(node)));
    return false;
  }
  std::set<std::string> seen;
  for (const auto& entry : node) {
    countValue();
    const SourceLoc key_loc = at(entry.first);
    if (!entry.first.IsScalar()) {
      problem(key_loc, fmt::format("{}: keys must be plain names", what));
      continue;
    }
    const auto key = scalar(entry.first, key_loc, what);
    if (!key) {
      continue;
    }
    if (!seen.insert(*key).second) {
      problem(key_loc, fmt::format("{}: duplicate key '{}'", what, excerpt(*key)));
      continue;
    }
    visit(*key, key_loc, entry.second);
  }
  return true;
}

bool FieldReader::forEachField(
    const YamlNode& node, const std::string& what, const std::vector<std::string>& allowed,
    const std::function<void(const std::string&, const SourceLoc&, const YamlNode&)>& visit) {
  return forEachEntry(
      node, what, [&](const std::string& key, const SourceLoc& loc, const YamlNode& value) {
        bool known = false;
        for (const auto& name : allowed) {
          known = known || name == key;
        }
        if (known) {
          visit(key, loc, value);
          return;
        }
        std::string message = fmt::format("{}: unknown key '{}'", what, excerpt(key));
        if (auto hint = closestMatch(key, allowed)) {
          message += fmt::format(" (did you mean '{}'?)", *hint);
        }
        problem(loc, message);
      });
}

bool FieldReader::forEachItem(const YamlNode& node, const std::string& what,
                              const std::function<void(const YamlNode&)>& visit) {
  if (node.IsNull()) {
    return true;
  }
  if (!node.IsSequence()) {
    problem(at(node), fmt::format("{} must be a list, found {}", what, typeName(node)));
    return false;
  }
  for (const auto& item : node) {
    countValue();
    visit(item);
  }
  return true;
}

std::optional<std::string> FieldReader::string(const YamlNode& node, const std::string& what) {
  if (!node.IsScalar()) {
    problem(at(node), fmt::format("{} must be a string, found {}", what, typeName(node)));
    return std::nullopt;
  }
  return scalar(node, at(node), what);
}

std::optional<bool> FieldReader::boolean(const YamlNode& node, const std::string& what) {
  if (node.IsScalar()) {
    const auto text = scalar(node, at(node), what);
    if (!text) {
      return std::nullopt;
    }
    if (*text == "true" || *text == "True" || *text == "yes" || *text == "on") {
      return true;
    }
    if (*text == "false" || *text == "False" || *text == "no" || *text == "off") {
      return false;
    }
  }
  problem(at(node), fmt::format("{} must be true or false", what));
  return std::nullopt;
}

std::optional<std::int64_t> FieldReader::integer(const YamlNode& node, const std::string& what,
                                                 std::int64_t min, std::int64_t max) {
  if (!node.IsScalar()) {
    problem(at(node), fmt::format("{} must be a whole number, found {}", what, typeName(node)));
    return std::nullopt;
  }
  const auto read = scalar(node, at(node), what);
  if (!read) {
    return std::nullopt;
  }
  const std::string& text = *read;
  std::int64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    problem(at(node), fmt::format("{} must be a whole number, found '{}'", what, excerpt(text)));
    return std::nullopt;
  }
  if (value < min || value > max) {
    problem(at(node), fmt::format("{} must be between {} and {}, found {}", what, min, max, value));
    return std::nullopt;
  }
  return value;
}

}  // namespace nstopo::parse
