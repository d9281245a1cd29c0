// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "nstopo/model/impairment.h"

#include "yaml_fields.h"

/// The `impair:` map of an interface or a link, with strict units: a value without its unit, a
/// unit nstopo does not know, or a value out of range is a problem at its place in the file.
namespace nstopo::parse {

/// "10ms", "1.5s", "20us": whole microseconds, 0 to 60 s. The error says why not.
[[nodiscard]] tl::expected<std::uint32_t, std::string> parseDuration(std::string_view text);
/// "0.5%", "100%": a percentage from 0 to 100 with its sign.
[[nodiscard]] tl::expected<double, std::string> parsePercent(std::string_view text);
/// "100mbit", "1gbit", "512kbit", "64000bit": bits per second, 8 kbit to 10 gbit.
[[nodiscard]] tl::expected<std::uint64_t, std::string> parseRate(std::string_view text);

/// Reads `impair:` (records its problems in `in`); nullopt when it has problems or is empty.
[[nodiscard]] std::optional<model::Impairment> parseImpairment(FieldReader& in,
                                                               const YamlNode& node,
                                                               const std::string& what);

}  // namespace nstopo::parse
