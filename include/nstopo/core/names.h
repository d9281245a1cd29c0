// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nstopo {

inline constexpr std::size_t kMaxIfNameBytes = 15;  // IFNAMSIZ - 1; libnl truncates silently
inline constexpr std::size_t kMaxNetnsNameBytes = 64;
inline constexpr std::size_t kMaxLabNameBytes = 32;

/// Each check returns the reason a name is unusable, or nothing when it is fine.
[[nodiscard]] std::optional<std::string> ifNameProblem(std::string_view name);
[[nodiscard]] std::optional<std::string> netnsNameProblem(std::string_view name);
[[nodiscard]] std::optional<std::string> labNameProblem(std::string_view name);

/// The offset of the first byte that does not start a well-formed UTF-8 sequence, or nothing
/// when all of `text` is UTF-8.
[[nodiscard]] std::optional<std::size_t> firstInvalidUtf8(std::string_view text);

/// One-line, terminal-safe form of text from a file or the kernel for messages and JSON: control
/// characters (C0, DEL, C1) and bytes that are not UTF-8 become \xNN; the rest is kept.
[[nodiscard]] std::string printable(std::string_view text);
/// printable(), except that a line break followed by two spaces stays one: that is how nstopo
/// lays out its own lists under a message ("after apply ...:\n  + route ..."). Every other line
/// break, and every control byte, is escaped as printable() does.
[[nodiscard]] std::string printableMessage(std::string_view text);

/// At most this many characters of a key or value from a file go into a message.
inline constexpr std::size_t kMaxQuotedChars = 64;

/// printable(), cut to kMaxQuotedChars characters with an ellipsis. Messages quote keys and values
/// with this: a file may hold text its reader should not see whole (a topology that is a symlink
/// to a root-only file, with --follow-symlinks), and a quoted name of a megabyte is no help.
[[nodiscard]] std::string excerpt(std::string_view text, std::size_t max_chars = kMaxQuotedChars);

}  // namespace nstopo
