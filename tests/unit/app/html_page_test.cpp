// SPDX-License-Identifier: Apache-2.0
// The HTML view's page: self-contained, and no name from a file or the machine can end the data
// element and inject markup or script.
#include "nstopo/app/html_page.h"

#include <gtest/gtest.h>

#include "nstopo/app/graph_page_data.h"

#include "support/topology_text.h"

namespace nstopo {
namespace {

using nlohmann::json;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

constexpr const char* kHostile = "</script><script>alert(1)</script><!-- & \"q\" 'a' {{data}}";

TEST(HtmlPage, EscapesMarkupInText) {
  EXPECT_EQ(app::htmlEscape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

TEST(HtmlPage, ScriptSafeJsonHasNoAngleBracketOrAmpersandAndReadsBackTheSame) {
  const json data = {{"name", kHostile}, {"list", {kHostile}}};
  const std::string text = app::scriptSafeJson(data);
  EXPECT_EQ(text.find('<'), std::string::npos) << text;
  EXPECT_EQ(text.find('>'), std::string::npos) << text;
  EXPECT_EQ(text.find('&'), std::string::npos) << text;
  EXPECT_EQ(json::parse(text), data);
}

TEST(HtmlPage, BytesThatAreNotUtf8DoNotStopThePage) {
  const json data = {{"name", std::string("bad \xff\xfe name")}};
  EXPECT_NO_THROW((void)app::scriptSafeJson(data));
}

TEST(HtmlPage, HostileNamesFromAFileStayData) {
  // An OVS external_id may hold any text, and the page shows the file's path: both hostile here.
  auto desired = support::desiredOf(R"(name: hostile
nodes:
  ns1: {interfaces: {veth0: {addresses: [10.1.1.2/24]}}}
bridges:
  ovs-br:
    kind: ovs
    external_ids: {note: "</script><script>alert(1)</script>"}
    ports:
      p0: {external_ids: {"<img src=x onerror=alert(2)>": "</SCRIPT >"}}
links:
  - {kind: veth, endpoints: [ns1:veth0, ovs-br:p0]}
)");
  app::PageSources sources;
  sources.shown = &desired;
  sources.source = std::string("file ") + kHostile + ".yaml";
  auto data = app::pageData(sources);
  data["lab"] = kHostile;
  const std::string page = app::htmlPage(data);
  // Exactly the template's two script elements: the data and the code.
  EXPECT_EQ(count(page, "<script"), 2u);
  EXPECT_EQ(count(page, "</script"), 2u);
  EXPECT_EQ(count(page, "</SCRIPT"), 0u);
  EXPECT_EQ(count(page, "<img"), 0u);
  EXPECT_EQ(count(page, "<!--"), 0u);
  // The title is escaped; "{{data}}" inside the data was not filled in again.
  EXPECT_NE(page.find("<title>nstopo: &lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(count(page, "document.body.dataset.ready"), 1u);
  // The data reads back whole from between its tags.
  const std::string open = "<script type=\"application/json\" id=\"lab-data\">";
  const auto start = page.find(open) + open.size();
  const auto end = page.find("</script>", start);
  EXPECT_EQ(json::parse(page.substr(start, end - start)), data);
}

TEST(HtmlPage, SelfContainedAndForbidsEveryRequest) {
  const std::string page = app::htmlPage({{"lab", "x"}, {"vertices", json::array()}});
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_NE(page.find("document.body.dataset.ready"), std::string::npos) << "the script is inline";
}

}  // namespace
}  // namespace nstopo
