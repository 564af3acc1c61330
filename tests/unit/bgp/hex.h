// Test helpers: byte vectors written as hex, and whole messages built from a body.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bgp/message.h"

namespace vipd::bgp::testing {

// Hex digits to bytes; whitespace is ignored, and '#' starts a comment to the end of line.
inline std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> bytes;
  int high = -1;
  bool comment = false;
  for (const char c : text) {
    if (comment) {
      comment = c != '\n';
      continue;
    }
    if (c == '#') {
      comment = true;
      continue;
    }
    int value = -1;
    if (c >= '0' && c <= '9') {
      value = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      value = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      value = c - 'A' + 10;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      continue;
    } else {
      throw std::invalid_argument("not hex: " + std::string(1, c));
    }
    if (high < 0) {
      high = value;
    } else {
      bytes.push_back(static_cast<std::uint8_t>(high * 16 + value));
      high = -1;
    }
  }
  if (high >= 0) {
    throw std::invalid_argument("odd number of hex digits");
  }
  return bytes;
}

// Marker, length and type in front of body.
inline std::vector<std::uint8_t> message(MessageType type, const std::vector<std::uint8_t>& body) {
  std::vector<std::uint8_t> bytes(16, 0xFF);
  const std::size_t length = kHeaderSize + body.size();
  bytes.push_back(static_cast<std::uint8_t>(length >> 8));
  bytes.push_back(static_cast<std::uint8_t>(length));
  bytes.push_back(static_cast<std::uint8_t>(type));
  bytes.insert(bytes.end(), body.begin(), body.end());
  return bytes;
}

inline std::vector<std::uint8_t> message(MessageType type, std::string_view body_hex) {
  return message(type, hex(body_hex));
}

std::string toHex(const std::vector<std::uint8_t>& bytes);

// An attribute in hex: flags and type as given ("800e"), then the length of value (one
// octet), then value.
inline std::string attribute(std::string_view flags_and_type, std::string_view value) {
  const std::size_t length = hex(value).size();
  return std::string(flags_and_type) + toHex({static_cast<std::uint8_t>(length)}) +
         std::string(value);
}

inline std::string toHex(const std::vector<std::uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const std::uint8_t byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 0xF];
  }
  return text;
}

}  // namespace vipd::bgp::testing
