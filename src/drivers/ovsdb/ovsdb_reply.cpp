// SPDX-License-Identifier: Apache-2.0
#include "ovsdb_reply.h"

#include <fmt/format.h>

namespace nstopo::ovsdb::reply {
namespace {

using nlohmann::json;

[[noreturn]] void malformed(const std::string& message) {
  throw MalformedReply(message);
}

const char* typeName(const json& value) {
  return value.type_name();  // "null", "object", "array", "string", "boolean", "number"
}

}  // namespace

const json& member(const json& object, const char* key, const std::string& what) {
  if (!object.is_object()) {
    malformed(fmt::format("{} is a JSON {}, not an object", what, typeName(object)));
  }
  const auto found = object.find(key);
  if (found == object.end()) {
    malformed(fmt::format("{} has no '{}'", what, key));
  }
  return *found;
}

const json& optionalMember(const json& object, const char* key, const std::string& what) {
  static const json kNull;
  if (!object.is_object()) {
    malformed(fmt::format("{} is a JSON {}, not an object", what, typeName(object)));
  }
  const auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

std::string text(const json& value, const std::string& what) {
  if (!value.is_string()) {
    malformed(fmt::format("{} is a JSON {}, not a string", what, typeName(value)));
  }
  return value.get<std::string>();
}

std::int64_t integer(const json& value, const std::string& what) {
  if (!value.is_number_integer()) {
    malformed(fmt::format("{} is a JSON {}, not an integer", what, typeName(value)));
  }
  return value.get<std::int64_t>();
}

const json& rowsOf(const json& result, std::size_t op, const std::string& table) {
  if (!result.is_array() || result.size() <= op) {
    malformed(fmt::format("the transaction answered {} result(s) where {} were expected",
                          result.is_array() ? result.size() : 0, op + 1));
  }
  const json& rows = member(result[op], "rows", "the select of " + table);
  if (!rows.is_array()) {
    malformed(fmt::format("the rows of {} are a JSON {}, not an array", table, typeName(rows)));
  }
  for (const auto& row : rows) {
    if (!row.is_object()) {
      malformed(fmt::format("a row of {} is a JSON {}, not an object", table, typeName(row)));
    }
  }
  return rows;
}

std::map<std::string, std::string> stringMap(const json& value, const std::string& what) {
  std::map<std::string, std::string> out;
  if (value.is_null()) {
    return out;
  }
  if (!value.is_array() || value.size() != 2 || value[0] != "map" || !value[1].is_array()) {
    malformed(fmt::format("{} is not an OVSDB map", what));
  }
  for (const auto& pair : value[1]) {
    if (!pair.is_array() || pair.size() != 2) {
      malformed(fmt::format("{} has an entry that is not a [key, value] pair", what));
    }
    out[text(pair[0], what + " key")] = text(pair[1], what + " value");
  }
  return out;
}

std::vector<json> setOf(const json& value, const std::string& what) {
  if (value.is_null()) {
    return {};
  }
  if (value.is_array() && value.size() == 2 && value[0] == "set") {
    if (!value[1].is_array()) {
      malformed(fmt::format("{} is not an OVSDB set", what));
    }
    return value[1].get<std::vector<json>>();
  }
  return {value};
}

std::string uuid(const json& value, const std::string& what) {
  if (!value.is_array() || value.size() != 2 || value[0] != "uuid" || !value[1].is_string()) {
    malformed(fmt::format("{} is not an OVSDB uuid", what));
  }
  return value[1].get<std::string>();
}

/// A string column that may be left out.
std::string optionalText(const json& row, const char* column, const std::string& what) {
  const json& value = optionalMember(row, column, what);
  return value.is_null() ? std::string() : text(value, what + " " + column);
}

/// A column of type set of 0 or 1 strings: "" for none.
std::string optionalSetText(const json& row, const char* column, const std::string& what) {
  const auto values = setOf(optionalMember(row, column, what), what + " " + column);
  return values.empty() ? std::string() : text(values[0], what + " " + column);
}

}  // namespace nstopo::ovsdb::reply
