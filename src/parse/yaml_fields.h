// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "nstopo/core/error.h"

#include "ranges.h"
#include "yaml_tree.h"

namespace nstopo::parse {

/// A lab of 1000 nodes is about 10 000 values; only YAML aliases that name aliases ("billion
/// laughs") get near this, and counting stops them before they cost seconds and gigabytes.
inline constexpr std::size_t kMaxYamlValues = 250'000;

/// The value under `key`; a missing key gives a null node, not an undefined one.
[[nodiscard]] YamlNode child(const YamlNode& map, const std::string& key);

/// The same for yaml-cpp's nodes (`nstopo expand` and `split` write YAML with them), read without
/// adding the key (the non-const operator[] adds it); a missing key gives a null node, not
/// yaml-cpp's invalid one that throws when asked its type.
[[nodiscard]] YAML::Node child(const YAML::Node& map, const std::string& key);

/// Thrown when a walk visits more than kMaxYamlValues values.
struct TooManyYamlValues {};

/// Typed access to YAML nodes that records a located diagnostic for every problem instead of
/// throwing, so one run reports everything wrong with a file.
class FieldReader {
 public:
  FieldReader(std::string file, Diagnostics& problems)
      : file_(std::move(file)), problems_(problems) {}

  [[nodiscard]] SourceLoc at(const YamlNode& node) const;
  [[nodiscard]] SourceLoc at(const YAML::Mark& mark) const;
  void problem(const SourceLoc& loc, std::string message);

  [[nodiscard]] std::size_t problemCount() const { return problems_.size(); }

  /// While an instance is set, every key, string, number and boolean read is instantiate()d for
  /// it (ranges.h), and `label` (when not empty) opens every problem: the instance that failed.
  void setInstance(const IndexRange& range, std::int64_t i, std::string label);

  void clearInstance() { instance_.reset(); }

  /// Walks a mapping in file order. Rejects duplicate keys and keys outside `allowed` (with a
  /// "did you mean" hint). `visit` gets key, key place and value. Returns false when `node`
  /// is not a mapping; a null node counts as an empty mapping.
  bool forEachField(
      const YamlNode& node, const std::string& what, const std::vector<std::string>& allowed,
      const std::function<void(const std::string&, const SourceLoc&, const YamlNode&)>& visit);

  /// Like forEachField, for mappings whose keys are names chosen by the user.
  bool forEachEntry(
      const YamlNode& node, const std::string& what,
      const std::function<void(const std::string&, const SourceLoc&, const YamlNode&)>& visit);

  bool forEachItem(const YamlNode& node, const std::string& what,
                   const std::function<void(const YamlNode&)>& visit);

  std::optional<std::string> string(const YamlNode& node, const std::string& what);
  std::optional<bool> boolean(const YamlNode& node, const std::string& what);
  std::optional<std::int64_t> integer(const YamlNode& node, const std::string& what,
                                      std::int64_t min, std::int64_t max);

 private:
  void countValue();
  /// The text of a scalar for the instance being read, if any; nothing (and a problem) when a
  /// placeholder in it is wrong.
  std::optional<std::string> scalar(const YamlNode& node, const SourceLoc& loc,
                                    const std::string& what);

  struct Instance {
    IndexRange range;
    std::int64_t i = 0;
    std::string label;
  };

  std::string file_;
  Diagnostics& problems_;
  std::size_t values_ = 0;
  std::optional<Instance> instance_;
};

}  // namespace nstopo::parse
