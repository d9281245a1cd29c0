// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

/// Checked reading of what ovsdb-server sends. The server is not trusted: every member, element
/// and type is checked before use, and a reply of the wrong shape throws MalformedReply, which the
/// driver's boundary turns into one OVSDB error (never an abort or undefined behaviour, which
/// nlohmann's unchecked operator[] and get<>() give on a missing key or a wrong type).
namespace nstopo::ovsdb::reply {

struct MalformedReply : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// `object[key]`; `what` names the object in the message ("a Bridge row").
[[nodiscard]] const nlohmann::json& member(const nlohmann::json& object, const char* key,
                                           const std::string& what);
/// `object[key]` when present, else null (OVSDB leaves out nothing it was asked for, but a
/// missing optional column reads as its empty value).
[[nodiscard]] const nlohmann::json& optionalMember(const nlohmann::json& object, const char* key,
                                                   const std::string& what);
[[nodiscard]] std::string text(const nlohmann::json& value, const std::string& what);
[[nodiscard]] std::int64_t integer(const nlohmann::json& value, const std::string& what);

/// A string column that may be left out: "" then.
[[nodiscard]] std::string optionalText(const nlohmann::json& row, const char* column,
                                       const std::string& what);
/// A column of type set of 0 or 1 strings: "" for none.
[[nodiscard]] std::string optionalSetText(const nlohmann::json& row, const char* column,
                                          const std::string& what);

/// The rows of the select at position `op` of a transact result.
[[nodiscard]] const nlohmann::json& rowsOf(const nlohmann::json& result, std::size_t op,
                                           const std::string& table);

/// OVSDB notation (RFC 7047 5.1): ["map", [[k, v], ...]] of strings.
[[nodiscard]] std::map<std::string, std::string> stringMap(const nlohmann::json& value,
                                                           const std::string& what);
/// ["set", [...]], a bare atom for a one-element set, or null for none.
[[nodiscard]] std::vector<nlohmann::json> setOf(const nlohmann::json& value,
                                                const std::string& what);
/// ["uuid", "..."].
[[nodiscard]] std::string uuid(const nlohmann::json& value, const std::string& what);

}  // namespace nstopo::ovsdb::reply
