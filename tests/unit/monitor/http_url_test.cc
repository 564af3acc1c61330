#include "monitor/http_url.h"

#include <gtest/gtest.h>

#include <vector>

namespace vipd::monitor {
namespace {

TEST(HttpUrl, ParsesTheParts) {
  struct Case {
    std::string text;
    bool tls;
    std::string host;
    std::string host_field;
    std::string target;
  };
  const std::vector<Case> cases = {
      {"http://example.org/health", false, "example.org", "example.org", "/health"},
      {"https://Example.ORG", true, "example.org", "example.org", "/"},
      {"HTTP://example.org:8080/a?b=c", false, "example.org", "example.org:8080", "/a?b=c"},
      {"http://example.org?x=1", false, "example.org", "example.org", "/?x=1"},
      {"http://example.org/p#frag", false, "example.org", "example.org", "/p"},
      {"https://192.0.2.1:8443/", true, "192.0.2.1", "192.0.2.1:8443", "/"},
      {"http://[2001:db8::1]/x", false, "2001:db8::1", "[2001:db8::1]", "/x"},
      {"http://[2001:db8::1]:81/x", false, "2001:db8::1", "[2001:db8::1]:81", "/x"},
  };
  for (const Case& c : cases) {
    const auto url = parseHttpUrl(c.text);
    ASSERT_TRUE(url) << c.text << ": " << url.error();
    EXPECT_EQ(url->tls, c.tls) << c.text;
    EXPECT_EQ(url->host, c.host) << c.text;
    EXPECT_EQ(url->host_field, c.host_field) << c.text;
    EXPECT_EQ(url->target, c.target) << c.text;
  }
}

TEST(HttpUrl, RefusesWhatCannotBeFetched) {
  const std::vector<std::string> bad = {
      "",
      "example.org/health",
      "ftp://example.org/",
      "http:///path",
      "http://user@example.org/",
      "http://example.org:0/",
      "http://example.org:65536/",
      "http://example.org:80x/",
      "http://[2001:db8::1/",
      "http://2001:db8::1/",
      "http://example.org/a b",
      "http://example.org/\r\nX-Injected: 1",
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(parseHttpUrl(text)) << text;
  }
}

}  // namespace
}  // namespace vipd::monitor
