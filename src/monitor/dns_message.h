// The DNS messages the dns monitor sends and reads (RFC 1035, section 4): a pure encoder and
// decoder, no I/O. The decoder checks every length and offset against the message it is given
// (labels, names, compression pointers, records), so a hostile reply is an error, never a read
// out of bounds.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vipd::monitor {

inline constexpr std::uint16_t kDnsTypeA = 1;
inline constexpr std::uint16_t kDnsTypeAaaa = 28;
inline constexpr std::uint16_t kDnsClassIn = 1;

// RCODEs (RFC 1035 4.1.1) the monitor tells apart.
inline constexpr std::uint8_t kDnsNoError = 0;
inline constexpr std::uint8_t kDnsServFail = 2;
inline constexpr std::uint8_t kDnsNxDomain = 3;
inline constexpr std::uint8_t kDnsRefused = 5;

// A standard query (opcode 0, RD set) for `name` of `type`, class IN. A trailing dot is
// allowed. Fails on an empty label, a label over 63 bytes or a name over 255 bytes.
std::expected<std::vector<std::uint8_t>, std::string> encodeDnsQuery(std::uint16_t id,
                                                                     std::string_view name,
                                                                     std::uint16_t type);

struct DnsResponse {
  std::uint16_t id = 0;
  bool truncated = false;  // TC: retry over TCP
  std::uint8_t rcode = 0;
  std::string question_name;  // lower case, no trailing dot; empty with no question
  std::uint16_t question_type = 0;
  std::uint16_t answer_count = 0;  // ANCOUNT as sent
  // Answers of class IN whose type is question_type; 0 when truncated (not parsed then).
  std::size_t matching_answers = 0;
};

// Decodes a response: the header, the question (at most one) and, unless truncated, the
// answer section. Authority and additional sections are not read.
std::expected<DnsResponse, std::string> decodeDnsResponse(std::span<const std::uint8_t> message);

// "NOERROR", "SERVFAIL", ..., or "RCODE n".
std::string dnsRcodeName(std::uint8_t rcode);

// "A", "AAAA", or "TYPE n".
std::string dnsTypeName(std::uint16_t type);

}  // namespace vipd::monitor
