// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/html_page.h"

#include <array>
#include <utility>

#include "nstopo/app/page_assets.h"

namespace nstopo::app {

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string scriptSafeJson(const nlohmann::json& data) {
  const std::string text = data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  // JSON has these characters only inside strings, where a \u escape means the same.
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string htmlPage(const nlohmann::json& data) {
  const std::string lab = data.contains("lab") && data["lab"].is_string() ? data["lab"] : "";
  const std::array<std::pair<std::string_view, std::string>, 4> slots{{
      {"{{title}}", htmlEscape("nstopo: " + lab)},
      {"{{style}}", std::string(assets::kPageCss)},
      {"{{script}}", std::string(assets::kPageJs)},
      {"{{data}}", scriptSafeJson(data)},
  }};
  // One pass over the template: text put into one slot is never searched for another slot.
  const std::string_view page = assets::kPageHtml;
  std::string out;
  std::size_t at = 0;
  while (at < page.size()) {
    const std::size_t open = page.find("{{", at);
    if (open == std::string_view::npos) {
      break;
    }
    out.append(page.substr(at, open - at));
    at = open + 2;
    for (const auto& [slot, value] : slots) {
      if (page.substr(open, slot.size()) == slot) {
        out += value;
        at = open + slot.size();
        break;
      }
    }
    if (at == open + 2) {
      out += "{{";
    }
  }
  out.append(page.substr(std::min(at, page.size())));
  return out;
}

}  // namespace nstopo::app
