#include "monitor/dns_message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vipd::monitor {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes header(std::uint16_t flags, std::uint16_t questions, std::uint16_t answers) {
  return {0xab,
          0xcd,
          static_cast<std::uint8_t>(flags >> 8),
          static_cast<std::uint8_t>(flags & 0xff),
          0,
          static_cast<std::uint8_t>(questions),
          0,
          static_cast<std::uint8_t>(answers),
          0,
          0,
          0,
          0};
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

// "www.example.org" at offset 12, "example.org" inside it at offset 16.
const Bytes kQuestion = {3,   'w', 'w', 'w', 7,   'e', 'x', 'a', 'm', 'p', 'l',
                         'e', 3,   'o', 'r', 'g', 0,   0,   1,   0,   1};
const Bytes kAnswerA = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};
const Bytes kAnswerCname = {0xc0, 0x10, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 0x0c};

TEST(DnsQuery, EncodesHeaderNameTypeAndClass) {
  const auto query = encodeDnsQuery(0x1234, "a.BC.", kDnsTypeAaaa);
  ASSERT_TRUE(query) << query.error();
  const Bytes expected = {0x12, 0x34, 0x01, 0x00, 0,   1,   0, 0, 0,  0, 0,
                          0,    1,    'a',  2,    'B', 'C', 0, 0, 28, 0, 1};
  EXPECT_EQ(*query, expected);
}

TEST(DnsQuery, RefusesBadNames) {
  const std::vector<std::string> bad = {
      "",
      ".",
      "a..b",
      ".a",
      std::string(64, 'x') + ".org",
      // 4 labels of 63 bytes and one more: 261 bytes on the wire.
      std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(63, 'c') + "." +
          std::string(63, 'd') + ".e",
  };
  for (const std::string& name : bad) {
    EXPECT_FALSE(encodeDnsQuery(1, name, kDnsTypeA)) << name;
  }
  EXPECT_TRUE(encodeDnsQuery(1, std::string(63, 'a') + ".org", kDnsTypeA));
}

TEST(DnsResponse, DecodesQuestionAndCountsMatchingAnswers) {
  const Bytes message = concat({header(0x8180, 1, 2), kQuestion, kAnswerA, kAnswerCname});
  const auto response = decodeDnsResponse(message);
  ASSERT_TRUE(response) << response.error();
  EXPECT_EQ(response->id, 0xabcd);
  EXPECT_FALSE(response->truncated);
  EXPECT_EQ(response->rcode, kDnsNoError);
  EXPECT_EQ(response->question_name, "www.example.org");
  EXPECT_EQ(response->question_type, kDnsTypeA);
  EXPECT_EQ(response->answer_count, 2);
  EXPECT_EQ(response->matching_answers, 1U);
}

TEST(DnsResponse, ReadsRcodeAndTruncation) {
  struct Case {
    std::uint16_t flags;
    std::uint8_t rcode;
    bool truncated;
  };
  const std::vector<Case> cases = {
      {0x8183, kDnsNxDomain, false},
      {0x8182, kDnsServFail, false},
      {0x8185, kDnsRefused, false},
      {0x8380, kDnsNoError, true},
  };
  for (const Case& c : cases) {
    const auto response = decodeDnsResponse(concat({header(c.flags, 1, 0), kQuestion}));
    ASSERT_TRUE(response) << response.error();
    EXPECT_EQ(response->rcode, c.rcode);
    EXPECT_EQ(response->truncated, c.truncated);
  }
}

TEST(DnsResponse, SkipsTheAnswersOfATruncatedReply) {
  // ANCOUNT says 3, but a truncated reply holds only part of them.
  const Bytes message = concat({header(0x8380, 1, 3), kQuestion, {0xc0}});
  const auto response = decodeDnsResponse(message);
  ASSERT_TRUE(response) << response.error();
  EXPECT_TRUE(response->truncated);
  EXPECT_EQ(response->matching_answers, 0U);
}

TEST(DnsResponse, RefusesMalformedMessages) {
  struct Case {
    std::string name;
    Bytes message;
  };
  const Bytes long_name = [] {
    Bytes name;
    for (int label = 0; label < 5; ++label) {
      name.push_back(63);
      name.insert(name.end(), 63, 'x');
    }
    name.push_back(0);
    return name;
  }();
  const std::vector<Case> cases = {
      {"empty", {}},
      {"short header", Bytes(11, 0)},
      {"query, not response", concat({header(0x0100, 1, 0), kQuestion})},
      {"two questions", concat({header(0x8180, 2, 0), kQuestion, kQuestion})},
      {"question cut in name", concat({header(0x8180, 1, 0), {3, 'w', 'w'}})},
      {"question cut in type", concat({header(0x8180, 1, 0), {1, 'a', 0, 0}})},
      {"pointer to itself", concat({header(0x8180, 1, 0), {0xc0, 0x0c, 0, 1, 0, 1}})},
      {"pointer forward", concat({header(0x8180, 1, 0), {0xc0, 0x20, 0, 1, 0, 1}})},
      {"pointer cut", concat({header(0x8180, 1, 0), {0xc0}})},
      {"label then pointer back to it",
       concat({header(0x8180, 1, 1), kQuestion, {1, 'a', 0xc0, 33, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0}})},
      {"reserved label type", concat({header(0x8180, 1, 0), {0x40, 0, 0, 1, 0, 1}})},
      {"name over 255 bytes", concat({header(0x8180, 1, 0), long_name, {0, 1, 0, 1}})},
      {"answer data past the end",
       concat({header(0x8180, 1, 1), kQuestion, {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 9, 1}})},
      {"answer fields cut", concat({header(0x8180, 1, 1), kQuestion, {0xc0, 0x0c, 0, 1, 0}})},
      {"more answers than sent", concat({header(0x8180, 1, 2), kQuestion, kAnswerA})},
  };
  for (const Case& c : cases) {
    const auto response = decodeDnsResponse(c.message);
    EXPECT_FALSE(response) << c.name;
  }
}

TEST(DnsNames, NameRcodesAndTypes) {
  EXPECT_EQ(dnsRcodeName(kDnsNxDomain), "NXDOMAIN");
  EXPECT_EQ(dnsRcodeName(9), "RCODE 9");
  EXPECT_EQ(dnsTypeName(kDnsTypeAaaa), "AAAA");
  EXPECT_EQ(dnsTypeName(16), "TYPE 16");
}

}  // namespace
}  // namespace vipd::monitor
