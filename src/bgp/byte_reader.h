// ByteReader: reads big-endian (network order) fields from a span of bytes, never past its
// end. Every read either returns the field and advances, or returns nullopt and consumes
// nothing, so a decoder checks each read once and cannot overrun a buffer it was given.
// Header-only: these are the innermost calls of every decoder and must inline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace vipd::bgp {

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - offset_; }
  bool empty() const { return offset_ == bytes_.size(); }
  // Bytes consumed so far.
  std::size_t offset() const { return offset_; }

  std::optional<std::uint8_t> u8() {
    if (remaining() < 1) {
      return std::nullopt;
    }
    return bytes_[offset_++];
  }

  std::optional<std::uint8_t> peekU8() const {
    if (remaining() < 1) {
      return std::nullopt;
    }
    return bytes_[offset_];
  }

  std::optional<std::uint16_t> u16() {
    if (remaining() < 2) {
      return std::nullopt;
    }
    const auto value = static_cast<std::uint16_t>((bytes_[offset_] << 8) | bytes_[offset_ + 1]);
    offset_ += 2;
    return value;
  }

  std::optional<std::uint32_t> u32() {
    if (remaining() < 4) {
      return std::nullopt;
    }
    const std::uint32_t value = (std::uint32_t{bytes_[offset_]} << 24) |
                                (std::uint32_t{bytes_[offset_ + 1]} << 16) |
                                (std::uint32_t{bytes_[offset_ + 2]} << 8) | bytes_[offset_ + 3];
    offset_ += 4;
    return value;
  }

  // The next n bytes, or nullopt when fewer remain.
  std::optional<std::span<const std::uint8_t>> bytes(std::size_t n) {
    if (remaining() < n) {
      return std::nullopt;
    }
    const auto field = bytes_.subspan(offset_, n);
    offset_ += n;
    return field;
  }

  // The next n bytes as a reader of their own (a length-delimited field).
  std::optional<ByteReader> sub(std::size_t n) {
    const auto field = bytes(n);
    if (!field) {
      return std::nullopt;
    }
    return ByteReader(*field);
  }

  // Everything not read yet; consumes it.
  std::span<const std::uint8_t> rest() {
    const auto field = bytes_.subspan(offset_);
    offset_ = bytes_.size();
    return field;
  }

  // Everything not read yet, without consuming it.
  std::span<const std::uint8_t> peekRest() const { return bytes_.subspan(offset_); }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
};

}  // namespace vipd::bgp
