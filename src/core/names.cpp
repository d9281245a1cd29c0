// SPDX-License-Identifier: Apache-2.0
#include "nstopo/core/names.h"

#include <algorithm>

#include <fmt/format.h>

namespace nstopo {
namespace {

bool isControl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

bool isSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::optional<std::string> commonProblem(std::string_view name, std::size_t max_bytes) {
  if (name.empty()) {
    return "the name is empty";
  }
  if (name.size() > max_bytes) {
    return fmt::format("'{}' is {} bytes long; at most {} are allowed", excerpt(name), name.size(),
                       max_bytes);
  }
  if (name == "." || name == "..") {
    return fmt::format("'{}' is not a usable name", name);
  }
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '/') {
      return fmt::format("'{}' contains '/'", excerpt(name));
    }
    if (isSpace(c)) {
      return fmt::format("'{}' contains whitespace", excerpt(name));
    }
    if (isControl(c)) {
      return fmt::format("'{}' contains a control character", excerpt(name));
    }
    if (c >= 0x80) {
      // The kernel's isspace() takes Latin-1 0x85 and 0xa0 for spaces, so some UTF-8 names are
      // refused only at apply; ASCII is what every tool around a lab prints and parses anyway.
      return fmt::format("'{}' contains a byte that is not ASCII (0x{:02x})", excerpt(name), c);
    }
  }
  return std::nullopt;
}

}  // namespace

namespace {

/// Length of the well-formed UTF-8 sequence starting at text[at], or 0 when it is not one
/// (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short).
std::size_t utf8SequenceLength(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3;
    low = lead == 0xe0 ? 0xa0 : 0x80;
    high = lead == 0xed ? 0x9f : 0xbf;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4;
    low = lead == 0xf0 ? 0x90 : 0x80;
    high = lead == 0xf4 ? 0x8f : 0xbf;
  } else {
    return 0;
  }
  if (at + length > text.size()) {
    return 0;
  }
  for (std::size_t i = 1; i < length; ++i) {
    const auto c = static_cast<unsigned char>(text[at + i]);
    const unsigned char min = i == 1 ? low : 0x80;
    const unsigned char max = i == 1 ? high : 0xbf;
    if (c < min || c > max) {
      return 0;
    }
  }
  return length;
}

/// The printable form of at most `max_chars` characters of `text` (a code point, or a byte that
/// is not UTF-8, counts as one); `cut` says whether anything was left out.
std::string printablePrefix(std::string_view text, std::size_t max_chars, bool& cut) {
  std::string out;
  out.reserve(std::min(text.size(), max_chars * 4));
  std::size_t at = 0;
  std::size_t chars = 0;
  for (; at < text.size() && chars < max_chars; ++chars) {
    const auto c = static_cast<unsigned char>(text[at]);
    if (c < 0x80) {
      if (isControl(c)) {
        out += fmt::format("\\x{:02x}", c);
      } else {
        out += static_cast<char>(c);
      }
      ++at;
      continue;
    }
    const std::size_t length = utf8SequenceLength(text, at);
    // U+0080..U+009F (C2 80..C2 9F) are the C1 controls: some terminals act on them too.
    const bool c1_control =
        length == 2 && c == 0xc2 && static_cast<unsigned char>(text[at + 1]) < 0xa0;
    if (length == 0 || c1_control) {
      out += fmt::format("\\x{:02x}", c);
      ++at;
      continue;
    }
    out.append(text.substr(at, length));
    at += length;
  }
  cut = at < text.size();
  return out;
}

}  // namespace

std::optional<std::size_t> firstInvalidUtf8(std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    const std::size_t length = utf8SequenceLength(text, at);
    if (length == 0) {
      return at;
    }
    at += length;
  }
  return std::nullopt;
}

std::string printable(std::string_view text) {
  bool cut = false;
  return printablePrefix(text, text.size(), cut);
}

std::string printableMessage(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t at = text.find('\n'); at != std::string_view::npos;
       at = text.find('\n', at + 1)) {
    if (text.substr(at + 1, 2) != "  ") {
      continue;  // not nstopo's own layout: printable() escapes it with the rest
    }
    out += printable(text.substr(start, at - start));
    out += '\n';
    start = at + 1;
  }
  out += printable(text.substr(start));
  return out;
}

std::string excerpt(std::string_view text, std::size_t max_chars) {
  bool cut = false;
  std::string out = printablePrefix(text, max_chars, cut);
  if (cut) {
    out += "\u2026";  // an ellipsis: the rest of the text is left out
  }
  return out;
}

std::optional<std::string> ifNameProblem(std::string_view name) {
  if (auto problem = commonProblem(name, kMaxIfNameBytes)) {
    return problem;
  }
  if (name.find(':') != std::string_view::npos) {
    return fmt::format("'{}' contains ':' (reserved for node:interface)", excerpt(name));
  }
  return std::nullopt;
}

std::optional<std::string> netnsNameProblem(std::string_view name) {
  if (auto problem = commonProblem(name, kMaxNetnsNameBytes)) {
    return problem;
  }
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
    if (!ok) {
      return fmt::format("'{}' may only use letters, digits, '-', '_' and '.'", excerpt(name));
    }
  }
  if (name.front() == '.' || name.front() == '-') {
    return fmt::format("'{}' must not start with '{}'", excerpt(name), name.front());
  }
  return std::nullopt;
}

std::optional<std::string> labNameProblem(std::string_view name) {
  if (auto problem = netnsNameProblem(name)) {
    return problem;
  }
  if (name.size() > kMaxLabNameBytes) {
    return fmt::format("'{}' is {} bytes long; at most {} are allowed", name, name.size(),
                       kMaxLabNameBytes);
  }
  return std::nullopt;
}

}  // namespace nstopo
