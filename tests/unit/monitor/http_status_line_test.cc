#include "monitor/http_status_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vipd::monitor {
namespace {

TEST(HttpStatusLine, CompleteLinesGiveTheirCode) {
  struct Case {
    std::string received;
    unsigned status;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1 200 OK\r\n", 200},
      {"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\n", 503},
      {"HTTP/1.1 302 Found\r\nLocation: http://elsewhere.test/\r\n\r\n", 302},
      {"HTTP/1.1 204 \r\n", 204},                // empty reason phrase
      {"HTTP/1.1 404\r\n", 404},                 // the SP before it missing
      {"HTTP/1.1 200 OK\n", 200},                // a bare LF
      {"HTTP/1.1 599 Caf\xc3\xa9\tx\r\n", 599},  // obs-text and HTAB in the reason
  };
  for (const Case& c : cases) {
    const auto line = parseStatusLine(c.received);
    ASSERT_TRUE(line.has_value()) << c.received << ": " << line.error();
    ASSERT_TRUE(line->has_value()) << c.received;
    EXPECT_EQ(**line, c.status) << c.received;
  }
}

TEST(HttpStatusLine, HeadersBeyondTheLineAreIgnoredHoweverLong) {
  const std::string received =
      "HTTP/1.1 200 OK\r\nX-Big: " + std::string(64 * 1024, 'x') + "\r\nX-Bad\x01: \r\n";
  const auto line = parseStatusLine(received);
  ASSERT_TRUE(line.has_value()) << line.error();
  EXPECT_EQ(line->value_or(0), 200U);
}

TEST(HttpStatusLine, UnfinishedLineAsksForMore) {
  for (const std::string received : {"", "H", "HTTP/", "HTTP/1.1 2", "HTTP/1.1 200 OK\r"}) {
    const auto line = parseStatusLine(received);
    ASSERT_TRUE(line.has_value()) << received << ": " << line.error();
    EXPECT_FALSE(line->has_value()) << received;
  }
}

TEST(HttpStatusLine, MalformedLinesAreRefusedWithTheReason) {
  struct Case {
    std::string received;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"SSH-2.0-OpenSSH_9.2", "not an HTTP/1.x response"},  // refused before any LF
      {"http/1.1 200 OK\r\n", "not an HTTP/1.x response"},
      {"HTTP/1.1\r\n", "not an HTTP/1.x response"},
      {"HTTP/x.1 200 OK\r\n", "bad version"},
      {"HTTP/2.0 200 OK\r\n", "not HTTP/1.x"},
      {"HTTP/1.1 20 OK\r\n", "no three-digit status code"},
      {"HTTP/1.1  200 OK\r\n", "no three-digit status code"},
      {"HTTP/1.1 2000 OK\r\n", "bad reason phrase"},
      {"HTTP/1.1 200 O\x01K\r\n", "bad reason phrase"},
      {"HTTP/1.1 200 OK\r\r\n", "bad reason phrase"},
  };
  for (const Case& c : cases) {
    const auto line = parseStatusLine(c.received);
    ASSERT_FALSE(line.has_value()) << c.received;
    EXPECT_NE(line.error().find(c.reason), std::string::npos) << c.received << ": " << line.error();
    EXPECT_TRUE(line.error().starts_with("malformed status line")) << line.error();
  }
}

}  // namespace
}  // namespace vipd::monitor
