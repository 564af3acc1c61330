#include "control/status_page.h"

#include <gtest/gtest.h>

#include "instrumentation_snapshots.h"

namespace vipd::control {
namespace {

using testing::FakeDaemonView;
using testing::instrumentationSnapshots;
using testing::server;

TEST(StatusPage, ColoursServersByState) {
  const struct {
    ServerView server;
    const char* state;
  } cases[] = {
      {server("a", "up", true), "up"},
      {server("b", "down", false), "down"},
      {server("c", "down", true), "pooled-down"},
      {server("d", "up", true, false), "disabled"},
      {server("e", "unknown", true), "unknown"},
  };
  for (const auto& each : cases) {
    EXPECT_EQ(StatusPage::serverState(each.server), each.state) << each.server.host;
  }
}

TEST(StatusPage, ShowsServicesPeersAndVips) {
  FakeDaemonView view{instrumentationSnapshots()};
  const auto html = StatusPage(view).render(testing::at(1764756000));
  const char* expected[] = {
      "<meta http-equiv=\"refresh\" content=\"10\">",
      "<title>vipd on lvs1001</title>",
      R"(<span class="chip pooled-down" title="mw1002:80 weight 10, down, pooled">mw1002</span>)",
      R"(<span class="chip disabled")",
      "<td>cr2-eqiad</td>",
      "<td>192.0.2.10/32</td>",
      "as of 2025-12-03 10:00:00 UTC",
  };
  for (const auto* part : expected) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
  // Self-contained: nothing is loaded from elsewhere.
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(StatusPage, EscapesWhatTheDaemonReports) {
  FakeDaemonView view{instrumentationSnapshots()};
  view.data.services[0].name = "<script>alert('x')</script>";
  view.data.peers[1].last_error = "a & b \"c\"";
  const auto html = StatusPage(view).render(testing::at(0));
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("a &amp; b &quot;c&quot;"), std::string::npos);
}

}  // namespace
}  // namespace vipd::control
