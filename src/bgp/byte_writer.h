// ByteWriter: appends big-endian (network order) fields to a byte vector it does not own.
// Length fields that precede what they measure are written as placeholders and patched once
// the body is out, so every encoder writes in one pass. Header-only: these calls are the
// inner loop of UPDATE packing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace vipd::bgp {

class ByteWriter {
 public:
  explicit ByteWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  // Bytes in the whole buffer (including what was there before this writer).
  std::size_t size() const { return out_.size(); }
  std::vector<std::uint8_t>& buffer() { return out_; }

  void u8(std::uint8_t value) { out_.push_back(value); }

  void u16(std::uint16_t value) {
    out_.push_back(static_cast<std::uint8_t>(value >> 8));
    out_.push_back(static_cast<std::uint8_t>(value));
  }

  void u32(std::uint32_t value) {
    out_.push_back(static_cast<std::uint8_t>(value >> 24));
    out_.push_back(static_cast<std::uint8_t>(value >> 16));
    out_.push_back(static_cast<std::uint8_t>(value >> 8));
    out_.push_back(static_cast<std::uint8_t>(value));
  }

  void bytes(std::span<const std::uint8_t> data) {
    out_.insert(out_.end(), data.begin(), data.end());
  }

  // Writes a zero 2-octet field and returns where it is, for patchU16.
  std::size_t placeholderU16() {
    const std::size_t at = out_.size();
    u16(0);
    return at;
  }

  std::size_t placeholderU8() {
    const std::size_t at = out_.size();
    u8(0);
    return at;
  }

  void patchU16(std::size_t at, std::uint16_t value) {
    out_[at] = static_cast<std::uint8_t>(value >> 8);
    out_[at + 1] = static_cast<std::uint8_t>(value);
  }

  void patchU8(std::size_t at, std::uint8_t value) { out_[at] = value; }

 private:
  std::vector<std::uint8_t>& out_;
};

}  // namespace vipd::bgp
