// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>
#include <yaml-cpp/yaml.h>

/// Node name ranges (issue 16): a node key `h[1-8]` stands for the nodes h1 to h8, and a link
/// whose endpoints name a range (`h[1-8]:eth0`) for one link per number. In everything such an
/// entry holds, `{i}`, `{i+N}` and `{i-N}` are the number. The rules live here only, so the
/// loader and `nstopo expand` write out the same instances.
namespace nstopo::parse {

/// The most numbers one range may have, and all ranges of a file together: far more than a lab
/// needs (the namespace limit is 20 000), far less than would exhaust memory before it.
inline constexpr std::int64_t kMaxRangeCount = 10'000;
inline constexpr std::int64_t kMaxRangeInstances = 100'000;

/// `[FIRST-LAST]` as the file writes it.
struct IndexRange {
  std::int64_t first = 0;
  std::int64_t last = 0;
  std::size_t width = 0;  ///< digits of a zero-padded range such as [01-16]; 0 when not padded
  std::string written;    ///< "[1-8]", replaced by each number in the names that hold it

  [[nodiscard]] std::int64_t count() const { return last - first + 1; }

  /// The number as the range writes it in names: "05" for [01-16], "5" for [1-16].
  [[nodiscard]] std::string number(std::int64_t i) const;
};

/// No range, a range, or why the text is not a well-formed one.
using RangeFound = tl::expected<std::optional<IndexRange>, std::string>;

/// The range of a node key. Node names have no brackets, so any `[` must open the key's one
/// range: NAME[FIRST-LAST] or NAME[FIRST-LAST]SUFFIX.
[[nodiscard]] RangeFound rangeInNodeKey(std::string_view key);

/// Whether a link's `key` holds endpoints (NODE:IFNAME or BRIDGE:IFNAME): `endpoints`,
/// `endpoint` and the key of the interface a link kind is stacked on.
[[nodiscard]] bool holdsEndpoints(const std::string& key);

/// Adds the ranges of one endpoint's text to `found`, which must all be the same range; the
/// problem when one is not. Other brackets are left alone (an interface name may hold them).
[[nodiscard]] std::optional<std::string> addEndpointRanges(const std::string& text,
                                                           std::optional<IndexRange>& found);

/// The range of a link: every `[FIRST-LAST]` in its endpoints. For the loader's YamlNode and for
/// yaml-cpp's YAML::Node (`nstopo expand`), which read alike.
template <class Node>
[[nodiscard]] RangeFound rangeInLink(const Node& link) {
  std::optional<IndexRange> found;
  if (!link.IsMap()) {
    return found;
  }
  auto scan = [&](const auto& value) -> std::optional<std::string> {
    return value.IsScalar() ? addEndpointRanges(value.Scalar(), found) : std::nullopt;
  };
  for (const auto& entry : link) {
    if (!entry.first.IsScalar() || !holdsEndpoints(entry.first.Scalar())) {
      continue;
    }
    std::optional<std::string> problem;
    if (entry.second.IsSequence()) {
      for (const auto& item : entry.second) {
        problem = problem ? problem : scan(item);
      }
    } else {
      problem = scan(entry.second);
    }
    if (problem) {
      return tl::unexpected(*problem);
    }
  }
  return found;
}

/// `text` for the number `i` of `range`: each `range.written` becomes range.number(i), and each
/// placeholder `{i}`, `{i+N}`, `{i-N}` the plain number (5, never 05: it goes into addresses).
/// Any other `{` is kept. The error says what is wrong with a placeholder.
[[nodiscard]] tl::expected<std::string, std::string> instantiate(std::string_view text,
                                                                 const IndexRange& range,
                                                                 std::int64_t i);

/// A copy of `node` (a whole YAML tree) with instantiate() applied to every key and scalar.
/// Used on entries the loader accepted, so an error here is a bug; it throws YAML::Exception.
[[nodiscard]] YAML::Node instantiateTree(const YAML::Node& node, const IndexRange& range,
                                         std::int64_t i);

}  // namespace nstopo::parse
