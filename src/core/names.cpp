// SPDX-License-Identifier: Apache-2.0
#include "nstopo/core/names.h"

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
    return fmt::format("'{}' is {} bytes long; at most {} are allowed", printable(name),
                       name.size(), max_bytes);
  }
  if (name == "." || name == "..") {
    return fmt::format("'{}' is not a usable name", name);
  }
  for (char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '/') {
      return fmt::format("'{}' contains '/'", printable(name));
    }
    if (isSpace(c)) {
      return fmt::format("'{}' contains whitespace", printable(name));
    }
    if (isControl(c)) {
      return fmt::format("'{}' contains a control character", printable(name));
    }
  }
  return std::nullopt;
}

}  // namespace

std::string printable(std::string_view text) {
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (isControl(c)) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

std::optional<std::string> ifNameProblem(std::string_view name) {
  if (auto problem = commonProblem(name, kMaxIfNameBytes)) {
    return problem;
  }
  if (name.find(':') != std::string_view::npos) {
    return fmt::format("'{}' contains ':' (reserved for node:interface)", printable(name));
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
      return fmt::format("'{}' may only use letters, digits, '-', '_' and '.'", printable(name));
    }
  }
  if (name.front() == '.' || name.front() == '-') {
    return fmt::format("'{}' must not start with '{}'", printable(name), name.front());
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
