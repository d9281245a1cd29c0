// SPDX-License-Identifier: Apache-2.0
#include "nstopo/model/validate_ovsdb.h"

#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "nstopo/core/names.h"

namespace nstopo::model {
namespace {

/// nstopo marks its own rows with this key (drivers/ovsdb/ovsdb_driver.h kLabKey); a file that
/// set it would claim or disown rows.
constexpr std::string_view kReservedKey = "nstopo-lab";

/// Why OVSDB cannot take `text` as it is, or nothing. OVSDB strings are JSON strings: Unicode,
/// and ovsdb-server refuses "\u0000".
std::optional<std::string> ovsdbStringProblem(std::string_view text) {
  if (text.size() > kMaxOvsdbStringBytes) {
    return fmt::format("is {} bytes long; at most {} are allowed", text.size(),
                       kMaxOvsdbStringBytes);
  }
  if (const auto at = firstInvalidUtf8(text)) {
    return fmt::format("is not UTF-8 (byte 0x{:02x} at offset {}); OVSDB takes only UTF-8 text",
                       static_cast<unsigned char>(text[*at]), *at);
  }
  if (text.find('\0') != std::string_view::npos) {
    return std::string("contains a NUL character, which OVSDB refuses");
  }
  return std::nullopt;
}

/// A long key or value is quoted by its start only: the message stays one readable line.
std::string quoted(std::string_view text) {
  constexpr std::size_t kQuoted = 40;
  return text.size() > kQuoted ? printable(text.substr(0, kQuoted)) + "..." : printable(text);
}

void checkExternalIds(const std::map<std::string, std::string>& ids,
                      const std::map<std::string, EntryLoc>& where, const std::string& what,
                      Diagnostics& problems) {
  for (const auto& [key, value] : ids) {
    const auto loc = where.find(key);
    const EntryLoc place = loc == where.end() ? EntryLoc{} : loc->second;
    auto problem = [&](const SourceLoc& at, std::string message) {
      problems.push_back(Error{ErrorKind::kInvalidTopology, std::move(message), at, 0});
    };
    if (key == kReservedKey) {
      problem(place.key, fmt::format("{} external_ids key '{}' is reserved: nstopo marks the rows "
                                     "it owns with it",
                                     what, kReservedKey));
    } else if (auto key_why = ovsdbStringProblem(key)) {
      problem(place.key, fmt::format("{} external_ids key '{}' {}", what, quoted(key), *key_why));
    } else if (auto why = ovsdbStringProblem(value)) {
      problem(place.value, fmt::format("{} external_ids '{}' value '{}' {}", what, quoted(key),
                                       quoted(value), *why));
    }
  }
}

}  // namespace

void validateOvsdbStrings(const Topology& topology, Diagnostics& problems) {
  for (const auto& [name, bridge] : topology.bridges) {
    const std::string what = fmt::format("bridge '{}'", printable(name));
    checkExternalIds(bridge.external_ids, bridge.external_ids_loc, what, problems);
    for (const auto& [port, settings] : bridge.ports) {
      checkExternalIds(settings.external_ids, settings.external_ids_loc,
                       fmt::format("{} port '{}'", what, printable(port)), problems);
    }
  }
}

}  // namespace nstopo::model
