// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

/// The HTML view as one self-contained file: the template, style and script that the build
/// embeds from src/app/page/, with the page's data (app::pageData) inlined. Nothing is fetched
/// when it opens: its Content-Security-Policy forbids every request.
namespace nstopo::app {

/// `text` with &, <, >, " and ' as character references: safe in element text and attributes.
[[nodiscard]] std::string htmlEscape(std::string_view text);

/// `data` as JSON that can sit inside <script type="application/json">: every <, > and & is a
/// \u escape, so no name from a file or the machine can close the element or open another.
/// Bytes that are not UTF-8 become U+FFFD.
[[nodiscard]] std::string scriptSafeJson(const nlohmann::json& data);

/// The whole page.
[[nodiscard]] std::string htmlPage(const nlohmann::json& data);

}  // namespace nstopo::app
