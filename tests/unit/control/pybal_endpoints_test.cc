#include "control/pybal_endpoints.h"

#include <gtest/gtest.h>

#include "instrumentation_snapshots.h"

namespace vipd::control {
namespace {

using testing::FakeDaemonView;
using testing::instrumentationSnapshots;

struct Golden {
  const char* path;
  BodyFormat format;
  unsigned status;
  const char* body;
};

// PyBal's bodies for the fake view, byte for byte.
const Golden kGoldens[] = {
    {"/pools", BodyFormat::Json, 200, R"(["api_443", "text_80"])"},
    {"/pools/", BodyFormat::Text, 200, "api_443\ntext_80\n"},
    {"/pools/text_80", BodyFormat::Text, 200,
     "cp1001.eqiad.wmnet:\tenabled/up/pooled\n"
     "cp1002.eqiad.wmnet:\tenabled/up/pooled\n"
     "cp1003.eqiad.wmnet:\tdisabled/down/not pooled\n"},
    {"/pools/text_80/", BodyFormat::Json, 200,
     R"({"cp1001.eqiad.wmnet": {"pooled": true, "enabled": true, "up": true, "weight": 10}, )"
     R"("cp1002.eqiad.wmnet": {"pooled": true, "enabled": true, "up": true, "weight": 10}, )"
     R"("cp1003.eqiad.wmnet": {"pooled": false, "enabled": false, "up": false, "weight": 10}})"},
    {"/pools/api_443/mw1001", BodyFormat::Json, 200,
     R"({"pooled": true, "enabled": true, "up": true, "weight": 10})"},
    {"/pools/api_443/mw1002", BodyFormat::Text, 200, "enabled/partially up/pooled\n"},
    {"/pools/api_443/mw1002/anything", BodyFormat::Text, 200, "enabled/partially up/pooled\n"},
    {"/pools/api%5F443/mw1001", BodyFormat::Text, 200, "enabled/up/pooled\n"},
    {"/alerts", BodyFormat::Text, 200,
     "CRITICAL - api_443: Servers mw1002 are marked down but pooled"},
    {"/alerts", BodyFormat::Json, 200,
     R"({"status": "critical", "msg": "api_443: Servers mw1002 are marked down but pooled"})"},
    {"/pools/nope", BodyFormat::Json, 404, R"({"error": "The desired url was not found"})"},
    {"/pools/text_80/mw9999", BodyFormat::Text, 404, "The desired url was not found"},
};

TEST(PybalEndpoints, BodiesMatchPybalByteForByte) {
  FakeDaemonView view{instrumentationSnapshots()};
  const PybalEndpoints endpoints(view);
  for (const auto& golden : kGoldens) {
    SCOPED_TRACE(golden.path);
    const auto reply = endpoints.answer(golden.path, golden.format);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, golden.status);
    EXPECT_EQ(reply->body, golden.body);
    EXPECT_EQ(reply->content_type,
              golden.format == BodyFormat::Json ? "application/json" : "text/plain");
  }
  EXPECT_EQ(view.calls().size(), 0u);
}

TEST(PybalEndpoints, OtherPathsAreNotPybals) {
  FakeDaemonView view{instrumentationSnapshots()};
  const PybalEndpoints endpoints(view);
  EXPECT_FALSE(endpoints.answer("/", BodyFormat::Text).has_value());
  EXPECT_FALSE(endpoints.answer("/poolsx", BodyFormat::Text).has_value());
  EXPECT_FALSE(endpoints.answer("/metrics", BodyFormat::Text).has_value());
}

// The cases of PyBal's own test of its alerts: three servers, thresholds 0 and 1, then two
// servers down but pooled.
TEST(PybalEndpoints, AlertsFollowPybalsMeaning) {
  ServiceView pool;
  pool.name = "test_pool0";
  pool.servers = 3;
  for (const auto* host : {"mw1001", "mw1002", "mw1003"}) {
    ServerView server;
    server.host = host;
    server.health = "up";
    server.pooled = true;
    pool.server_list.push_back(server);
  }

  pool.depool_threshold = 0;
  EXPECT_EQ(PybalEndpoints::alerts({pool}, BodyFormat::Text).body, "OK - All pools are healthy");
  EXPECT_EQ(PybalEndpoints::alerts({pool}, BodyFormat::Json).body,
            R"({"status": "ok", "msg": "All pools are healthy"})");

  pool.depool_threshold = 1.0;
  EXPECT_EQ(PybalEndpoints::alerts({pool}, BodyFormat::Text).body,
            "WARNING - Pool test_pool0 is too small to allow depooling. ");

  pool.server_list[0].health = "down";
  pool.server_list[1].health = "down";
  EXPECT_EQ(PybalEndpoints::alerts({pool}, BodyFormat::Text).body,
            "CRITICAL - test_pool0: Servers mw1001, mw1002 are marked down but pooled");
}

TEST(PybalEndpoints, EmptyDaemonAnswersEmptyShapes) {
  EXPECT_EQ(PybalEndpoints::pools({}, BodyFormat::Json).body, "[]");
  EXPECT_EQ(PybalEndpoints::pools({}, BodyFormat::Text).body, "\n");
  ServiceView empty;
  EXPECT_EQ(PybalEndpoints::pool(empty, BodyFormat::Json).body, "{}");
  EXPECT_EQ(PybalEndpoints::pool(empty, BodyFormat::Text).body, "");
}

TEST(PybalEndpoints, JsonStringsEscapeAsPythonDoes) {
  const std::pair<std::string, std::string> vectors[] = {
      {"plain", R"("plain")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {"tab\tnl\ncr\r", R"("tab\tnl\ncr\r")"},
      {std::string("\x01\x7f", 2), R"("\u0001\u007f")"},
      {"caf\xc3\xa9", R"("caf\u00e9")"},
      {"\xf0\x9f\x98\x80", R"("\ud83d\ude00")"},
      {"bad\xff", R"("bad\u00ff")"},
  };
  for (const auto& [text, json] : vectors) {
    EXPECT_EQ(PybalEndpoints::pythonJsonString(text), json) << json;
  }
}

TEST(PybalEndpoints, JsonIsWantedOnlyWhenAsked) {
  EXPECT_TRUE(PybalEndpoints::wantsJson({"application/json"}));
  EXPECT_TRUE(PybalEndpoints::wantsJson({"text/html", "text/plain, Application/JSON;q=0.9"}));
  EXPECT_FALSE(PybalEndpoints::wantsJson({"text/plain"}));
  EXPECT_FALSE(PybalEndpoints::wantsJson({"application/jsonx, */*"}));
  EXPECT_FALSE(PybalEndpoints::wantsJson({}));
}

}  // namespace
}  // namespace vipd::control
