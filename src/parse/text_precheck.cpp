// SPDX-License-Identifier: Apache-2.0
#include "text_precheck.h"

#include <string_view>

#include <fmt/format.h>

namespace nstopo::parse {
namespace {

Error problemAt(const std::string& file, int line, int column, std::string message) {
  return Error{ErrorKind::kInvalidTopology, std::move(message), SourceLoc{file, line, column}, 0};
}

/// YAML allows no C0 control character but tab, LF and CR, and yaml-cpp 0.7 can loop forever on
/// a NUL (found by the fuzzer). A CR that is not part of CRLF is an old Mac line end, which
/// yaml-cpp does not take for one: the whole file would be a single line.
std::optional<Error> badCharacter(const std::string& text, const std::string& file) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      return problemAt(file, line, column,
                       fmt::format("control character 0x{:02x} in the file; a topology is "
                                   "plain text",
                                   c));
    }
    if (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) {
      return problemAt(file, line, column,
                       "a line ends in a carriage return alone (old Mac line ends); save the "
                       "file with LF or CRLF line ends");
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::nullopt;
}

/// A small scanner that knows just enough YAML to find where quoted scalars and flow
/// collections start: comments, block scalars (whose text may hold anything), and the indicators
/// after which a value begins. It does not judge the YAML; yaml-cpp does that next.
class StructureScanner {
 public:
  StructureScanner(const std::string& text, const std::string& file) : text_(text), file_(file) {}

  std::optional<Error> run() {
    while (at_ < text_.size()) {
      if (line_start_) {
        if (auto error = startLine()) {
          return error;
        }
        continue;
      }
      if (auto error = step()) {
        return error;
      }
    }
    return std::nullopt;
  }

 private:
  [[nodiscard]] char peek(std::size_t ahead = 0) const {
    return at_ + ahead < text_.size() ? text_[at_ + ahead] : '\n';
  }

  [[nodiscard]] static bool isBreakOrSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  void advance() {
    if (text_[at_] == '\n') {
      ++line_;
      column_ = 1;
      line_start_ = true;
    } else {
      ++column_;
    }
    ++at_;
  }

  void skipRestOfLine() {
    while (at_ < text_.size() && text_[at_] != '\n') {
      advance();
    }
    if (at_ < text_.size()) {
      advance();
    }
  }

  /// Measures the indentation; lines inside a block scalar are skipped whole.
  std::optional<Error> startLine() {
    std::size_t first = at_;
    while (first < text_.size() && text_[first] == ' ') {
      ++first;
    }
    const int indent = static_cast<int>(first - at_);
    const bool blank = first >= text_.size() || text_[first] == '\n' || text_[first] == '\r';
    if (block_indent_ && (blank || indent > *block_indent_)) {
      skipRestOfLine();
      return std::nullopt;
    }
    block_indent_.reset();
    line_indent_ = indent;
    line_start_ = false;
    value_start_ = true;
    while (at_ < first) {
      advance();
    }
    return std::nullopt;
  }

  std::optional<Error> step() {
    const char c = peek();
    const bool after_space = at_ == 0 || isBreakOrSpace(text_[at_ - 1]);
    if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
      advance();
    } else if (c == '#' && after_space) {
      skipRestOfLine();
    } else if (value_start_ && (c == '"' || c == '\'')) {
      return quoted(c);
    } else if ((value_start_ || flow_depth_ > 0) && (c == '[' || c == '{')) {
      if (++flow_depth_ > kMaxFlowDepth) {
        return problemAt(file_, line_, column_,
                         fmt::format("YAML nesting is too deep: more than {} levels of '[' and "
                                     "'{{'",
                                     kMaxFlowDepth));
      }
      advance();
    } else if (flow_depth_ > 0 && (c == ']' || c == '}')) {
      --flow_depth_;
      value_start_ = false;
      advance();
    } else if (flow_depth_ > 0 && c == ',') {
      value_start_ = true;
      advance();
    } else if (c == ':' && (isBreakOrSpace(peek(1)) || flow_depth_ > 0)) {
      value_start_ = true;
      advance();
    } else if ((c == '-' || c == '?') && value_start_ && isBreakOrSpace(peek(1))) {
      advance();
    } else if ((c == '|' || c == '>') && value_start_ && flow_depth_ == 0) {
      // A block scalar: every following line indented deeper than this one is its text.
      block_indent_ = line_indent_;
      skipRestOfLine();
    } else if ((c == '&' || c == '!' || c == '*') && value_start_) {
      // An anchor, tag or alias: the value (if any) still starts after it.
      while (!isBreakOrSpace(peek()) &&
             !(flow_depth_ > 0 && (peek() == ',' || peek() == ']' || peek() == '}'))) {
        advance();
      }
    } else {
      value_start_ = false;
      advance();
    }
    return std::nullopt;
  }

  /// Skips a quoted scalar, which may span lines; yaml-cpp 0.7 accepts one that is never closed
  /// and makes the rest of the file its text, so that is refused here.
  std::optional<Error> quoted(char quote) {
    const int line = line_;
    const int column = column_;
    advance();
    while (at_ < text_.size()) {
      const char c = peek();
      if (quote == '"' && c == '\\' && at_ + 1 < text_.size()) {
        advance();
        advance();
      } else if (quote == '\'' && c == '\'' && peek(1) == '\'') {
        advance();
        advance();
      } else if (c == quote) {
        advance();
        line_start_ = false;
        value_start_ = false;
        return std::nullopt;
      } else {
        advance();
        line_start_ = false;  // inside the scalar, a new line does not start a YAML line
      }
    }
    return problemAt(file_, line, column,
                     fmt::format("the {} quote opened here is never closed",
                                 quote == '"' ? "double" : "single"));
  }

  const std::string& text_;
  const std::string& file_;
  std::size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
  bool line_start_ = true;
  bool value_start_ = true;
  int line_indent_ = 0;
  int flow_depth_ = 0;
  std::optional<int> block_indent_;
};

[[nodiscard]] bool isDocumentMarker(std::string_view row, std::string_view marker) {
  return row.substr(0, 3) == marker &&
         (row.size() == 3 || row[3] == ' ' || row[3] == '\t' || row[3] == '\r');
}

/// The line where a second document starts, if any: a "---" after content, or content after a
/// "..." that ended the first. Directives ("%YAML 1.2") before the first document are no
/// content. yaml-cpp's LoadAll loops forever on some inputs (a lone ',' for one, found by the
/// fuzzer), so this is done here and Load reads the one document.
std::optional<int> secondDocumentLine(const std::string& text) {
  bool content = false;
  bool ended = false;
  int line = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view row(text.data() + start, end - start);
    start = end + 1;
    ++line;
    if (isDocumentMarker(row, "---")) {
      if (content) {
        return line;
      }
      continue;
    }
    if (isDocumentMarker(row, "...")) {
      ended = ended || content;
      continue;
    }
    const auto first = row.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || row[first] == '#' || (!content && row[0] == '%')) {
      continue;
    }
    if (ended) {
      return line;
    }
    content = true;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Error> precheckText(const std::string& text, const std::string& file) {
  if (text.size() > kMaxFileBytes) {
    return problemAt(file, 1, 1,
                     fmt::format("the file is more than {} bytes; a topology may be at most that",
                                 kMaxFileBytes));
  }
  if (auto error = badCharacter(text, file)) {
    return error;
  }
  if (const auto line = secondDocumentLine(text)) {
    return problemAt(file, *line, 1,
                     "the file holds more than one YAML document; a topology is exactly one");
  }
  return StructureScanner(text, file).run();
}

namespace {

/// A range ([1-8]) or a placeholder ({i...}) of ranges.h: written bare inside [...] or {...},
/// it ends that list or mapping early, and YAML's own error does not say so.
bool writesRangeOrPlaceholder(std::string_view line) {
  if (line.find("{i") != std::string_view::npos) {
    return true;
  }
  for (auto open = line.find('['); open != std::string_view::npos;
       open = line.find('[', open + 1)) {
    const auto close = line.find(']', open);
    if (close == std::string_view::npos) {
      return false;
    }
    const auto inside = line.substr(open + 1, close - open - 1);
    if (inside.find('-') != std::string_view::npos &&
        inside.find_first_not_of("0123456789-") == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string syntaxHint(const std::string& text, int line) {
  int current = 0;
  int tab_line = 0;
  std::string_view error_line;
  std::size_t start = 0;
  while (start < text.size() && current < line) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    ++current;
    const auto content = text.find_first_not_of(" \t", start);
    const auto tab = text.find('\t', start);
    if (content < end && tab < content) {
      tab_line = current;
    }
    error_line = std::string_view(text).substr(start, end - start);
    start = end + 1;
  }
  if (tab_line != 0) {
    return fmt::format(" (line {} is indented with a tab; YAML indents with spaces only)",
                       tab_line);
  }
  if (current == line && writesRangeOrPlaceholder(error_line)) {
    return " (inside [...] or {...}, quote a range or a placeholder: \"h[1-8]:eth0\", "
           "\"10.0.{i}.1/24\")";
  }
  return {};
}

}  // namespace nstopo::parse
