// AsPath: the AS_PATH attribute (RFC 4271 4.3, 5.1.2) as segments of AS numbers, with its
// two wire forms: 2-octet ASes for a peer without the 4-octet AS capability and 4-octet
// ASes otherwise (RFC 6793), and the merge of AS_PATH with AS4_PATH that rebuilds the
// true path from a 2-octet peer (RFC 6793 4.2.3).
//
// The path is kept normalized: no empty segment, and adjacent AS_SEQUENCE (or
// AS_CONFED_SEQUENCE) segments are one. On the wire a segment holds at most 255 ASes, so
// a longer sequence is split when encoded and joined again when decoded; neither changes
// the path's length (RFC 4271 9.1.2.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bgp/byte_writer.h"

namespace vipd::bgp {

// AS_TRANS (RFC 6793 9): stands for a 4-octet AS in 2-octet fields.
inline constexpr std::uint32_t kAsTrans = 23456;

enum class SegmentType : std::uint8_t {
  AsSet = 1,
  AsSequence = 2,
  ConfedSequence = 3,  // RFC 5065
  ConfedSet = 4,       // RFC 5065
};

// How wide an AS number is on the wire.
enum class AsWidth : std::uint8_t { Two = 2, Four = 4 };

struct AsPathSegment {
  SegmentType type = SegmentType::AsSequence;
  std::vector<std::uint32_t> asns;

  bool operator==(const AsPathSegment&) const = default;
};

class AsPath {
 public:
  AsPath() = default;
  explicit AsPath(std::vector<AsPathSegment> segments);
  // One AS_SEQUENCE; the usual path of an originated route (empty for iBGP).
  static AsPath sequence(std::vector<std::uint32_t> asns);

  const std::vector<AsPathSegment>& segments() const { return segments_; }
  bool empty() const { return segments_.empty(); }

  // The path length of route selection (RFC 4271 9.1.2.2): an AS_SET counts one and
  // confederation segments count zero (RFC 5065 5.3).
  std::size_t length() const;
  // The leftmost AS when the path starts with an AS_SEQUENCE: what RFC 4271 6.3 compares
  // with an external peer's AS.
  std::optional<std::uint32_t> firstAs() const;
  bool contains(std::uint32_t asn) const;
  // Whether an AS outside confederation segments needs 4 octets, so that a 2-octet peer
  // must also get AS4_PATH (RFC 6793 4.2.2).
  bool needsFourOctets() const;

  // Adds asn at the front, as a speaker does towards an external peer (RFC 4271 5.1.2).
  void prepend(std::uint32_t asn);
  // The path without confederation segments: what AS4_PATH carries (RFC 6793 4.2.2).
  AsPath withoutConfederations() const;
  // The path a 2-octet peer meant, from its AS_PATH and AS4_PATH (RFC 6793 4.2.3).
  static AsPath merge(const AsPath& as_path, const AsPath& as4_path);

  // Appends the attribute value: segments of at most 255 ASes, each AS over 65535 written
  // as AS_TRANS in the 2-octet form. An AS_SET of more than 255 ASes becomes several sets.
  void encode(ByteWriter& out, AsWidth width) const;
  std::size_t encodedSize(AsWidth width) const;
  // Parses an attribute value; the error names what is malformed (RFC 7606 7.2: unknown
  // segment type, a segment overrunning the value, a lone trailing octet, an empty
  // segment; RFC 7607: AS 0).
  static std::expected<AsPath, std::string> decode(std::span<const std::uint8_t> value,
                                                   AsWidth width);

  // "64512 65000 {64496 64497} (64510)": sets in braces, confederation sequences in
  // parentheses, confederation sets in brackets.
  std::string toString() const;

  bool operator==(const AsPath&) const = default;

 private:
  void normalize();

  std::vector<AsPathSegment> segments_;
};

}  // namespace vipd::bgp
