// SPDX-License-Identifier: Apache-2.0
#include "ranges.h"

#include <charconv>
#include <set>

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/model/link_kinds.h"

namespace nstopo::parse {
namespace {

/// Nine digits always fit an int64 and their sums; a range never needs more.
constexpr std::size_t kMaxDigits = 9;

bool allDigits(std::string_view text) {
  return !text.empty() && text.size() <= kMaxDigits &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::int64_t toNumber(std::string_view digits) {
  std::int64_t value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

bool padded(std::string_view digits) {
  return digits.size() > 1 && digits.front() == '0';
}

/// The `[FIRST-LAST]` that starts at `pos` (a '['), by its form only; its end is
/// pos + written.size().
std::optional<IndexRange> bracketAt(std::string_view text, std::size_t pos) {
  const auto close = text.find(']', pos);
  if (close == std::string_view::npos) {
    return std::nullopt;
  }
  const auto inside = text.substr(pos + 1, close - pos - 1);
  const auto dash = inside.find('-');
  if (dash == std::string_view::npos) {
    return std::nullopt;
  }
  const auto first = inside.substr(0, dash);
  const auto last = inside.substr(dash + 1);
  if (!allDigits(first) || !allDigits(last)) {
    return std::nullopt;
  }
  IndexRange range;
  range.first = toNumber(first);
  range.last = toNumber(last);
  range.width = padded(first) || padded(last) ? first.size() : 0;
  range.written = std::string(text.substr(pos, close - pos + 1));
  return range;
}

/// Why a range of the right form cannot be used, or nothing.
std::optional<std::string> boundsProblem(const IndexRange& range) {
  if (range.first > range.last) {
    return fmt::format("range '{}' counts down; write the smaller number first", range.written);
  }
  const auto dash = range.written.find('-');
  if (range.width > 0 && range.written.size() - dash - 2 != range.width) {
    return fmt::format(
        "range '{}' pads its numbers with zeros, so both bounds need the same "
        "number of digits",
        range.written);
  }
  if (range.count() > kMaxRangeCount) {
    return fmt::format("range '{}' makes {} instances, more than {}", range.written, range.count(),
                       kMaxRangeCount);
  }
  return std::nullopt;
}

/// The keys of a link that hold endpoints (NODE:IFNAME or BRIDGE:IFNAME).
const std::set<std::string>& endpointKeys() {
  static const std::set<std::string> keys = [] {
    std::set<std::string> out{"endpoints", "endpoint"};
    for (const auto kind : model::fileLinkKinds()) {
      if (!model::kindInfo(kind).parent_key.empty()) {
        out.emplace(model::kindInfo(kind).parent_key);
      }
    }
    return out;
  }();
  return keys;
}

}  // namespace

std::string IndexRange::number(std::int64_t i) const {
  return fmt::format("{:0{}}", i, width);
}

RangeFound rangeInNodeKey(std::string_view key) {
  const auto open = key.find('[');
  if (open == std::string_view::npos) {
    return std::nullopt;
  }
  auto range = bracketAt(key, open);
  if (!range) {
    return tl::unexpected(
        fmt::format("'{}' is not a range: write NAME[FIRST-LAST], such as h[1-8]", excerpt(key)));
  }
  if (key.find('[', open + range->written.size()) != std::string_view::npos) {
    return tl::unexpected(fmt::format("'{}' has more than one range; a key has one", excerpt(key)));
  }
  if (auto problem = boundsProblem(*range)) {
    return tl::unexpected(*problem);
  }
  return range;
}

bool holdsEndpoints(const std::string& key) {
  return endpointKeys().count(key) > 0;
}

std::optional<std::string> addEndpointRanges(const std::string& text,
                                             std::optional<IndexRange>& found) {
  for (auto open = text.find('['); open != std::string::npos; open = text.find('[', open + 1)) {
    auto range = bracketAt(text, open);
    if (!range) {
      continue;
    }
    if (auto problem = boundsProblem(*range)) {
      return problem;
    }
    if (found && found->written != range->written) {
      return fmt::format("a link steps through one range, and this one names both '{}' and '{}'",
                         found->written, range->written);
    }
    found = std::move(range);
  }
  return std::nullopt;
}

tl::expected<std::string, std::string> instantiate(std::string_view text, const IndexRange& range,
                                                   std::int64_t i) {
  std::string out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!range.written.empty() && text.substr(pos, range.written.size()) == range.written) {
      out += range.number(i);
      pos += range.written.size();
      continue;
    }
    if (text.substr(pos, 2) != "{i") {
      out += text[pos++];
      continue;
    }
    const auto close = text.find('}', pos);
    const auto placeholder =
        text.substr(pos, close == std::string_view::npos ? 8 : close - pos + 1);
    const auto offset = close == std::string_view::npos
                            ? std::string_view("?")
                            : text.substr(pos + 2, close - pos - 2);  // "", "+N" or "-N"
    if (!offset.empty() &&
        ((offset.front() != '+' && offset.front() != '-') || !allDigits(offset.substr(1)))) {
      return tl::unexpected(fmt::format(
          "'{}' is not a placeholder; write {{i}}, {{i+N}} or {{i-N}}", excerpt(placeholder)));
    }
    std::int64_t value = i;
    if (!offset.empty()) {
      const auto n = toNumber(offset.substr(1));
      value = offset.front() == '+' ? i + n : i - n;
    }
    if (value < 0) {
      return tl::unexpected(
          fmt::format("'{}' is {} for the number {}; a placeholder may not go "
                      "below 0",
                      excerpt(placeholder), value, i));
    }
    out += std::to_string(value);
    pos = close + 1;
  }
  return out;
}

YAML::Node instantiateTree(const YAML::Node& node, const IndexRange& range, std::int64_t i) {
  auto text = [&](const YAML::Node& scalar) {
    auto out = instantiate(scalar.Scalar(), range, i);
    if (!out) {
      throw YAML::Exception(scalar.Mark(), out.error());
    }
    return *out;
  };
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return YAML::Node(text(node));
    case YAML::NodeType::Sequence: {
      YAML::Node out(YAML::NodeType::Sequence);
      for (const auto& item : node) {
        out.push_back(instantiateTree(item, range, i));
      }
      out.SetStyle(node.Style());
      return out;
    }
    case YAML::NodeType::Map: {
      YAML::Node out(YAML::NodeType::Map);
      for (const auto& entry : node) {
        out[text(entry.first)] = instantiateTree(entry.second, range, i);
      }
      out.SetStyle(node.Style());
      return out;
    }
    case YAML::NodeType::Null:
      return YAML::Node(YAML::NodeType::Null);
    case YAML::NodeType::Undefined:
      break;
  }
  return YAML::Node();
}

}  // namespace nstopo::parse
